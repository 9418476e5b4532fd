import type { InboundMessage, SupplierEvent, WebhookAck, WebhookInbound, WebhookRequest } from '../connector.ts';
import { SupplierError } from '../errors.ts';
import { isoOf } from './mapper.ts';
import { verifyTopupCallback } from './sign.ts';
import { CallbackBody } from './wire.ts';

/** What the platform needs back once a callback is stored: the plain-text body `success`, or it calls again (up to 8 times). */
export const TOPUP_ACK: WebhookAck = { status: 200, contentType: 'text/plain', body: 'success' };

/**
 * Result callbacks `{order_id, customer_order_no, order_status, recharge_description,
 * charge_finish_time, timestamp, sign}`, signed like requests, stale after 10 minutes. An order
 * reaches each final state once, so `order_id:order_status` identifies a callback across repeats.
 */
export function topupInbound(supplier: string, appSecret: string): WebhookInbound {
  return {
    mode: 'webhook',
    ack: TOPUP_ACK,
    verify(req: WebhookRequest, now: Date): InboundMessage {
      let body: unknown;
      try {
        body = JSON.parse(req.rawBody);
      } catch {
        throw new SupplierError(supplier, 'bad_signature', 'callback body is not JSON', { supplierCode: 'malformed' });
      }
      const verdict = verifyTopupCallback(body, appSecret, now);
      if (!verdict.ok) throw new SupplierError(supplier, 'bad_signature', `callback rejected: ${verdict.reason}`, { supplierCode: verdict.reason });
      const cb = CallbackBody.parse(body);
      return { eventId: `${cb.order_id}:${cb.order_status}`, eventType: `order.${cb.order_status}`, raw: req.rawBody };
    },
    parse(message: InboundMessage): SupplierEvent[] {
      const parsed = CallbackBody.safeParse(safeJson(message.raw));
      if (!parsed.success) throw new SupplierError(supplier, 'invalid_response', `unreadable callback ${message.eventId}`, { retryable: false, cause: parsed.error });
      const cb = parsed.data;
      const at = isoOf(cb.charge_finish_time) ?? isoOf(cb.timestamp) ?? new Date(0).toISOString();
      const ids = { supplierOrderId: cb.order_id, reference: cb.customer_order_no, at };
      if (cb.order_status === 'success') return [{ type: 'order.issued', ...ids }];
      if (cb.order_status === 'failed') return [{ type: 'order.failed', ...ids, reason: cb.recharge_description || 'recharge failed' }];
      // Platforms only call back final states; anything else carries no event.
      return [];
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
