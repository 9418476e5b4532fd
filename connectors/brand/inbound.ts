import type { AfterSaleStatus, InboundMessage, SupplierEvent, WebhookAck, WebhookInbound, WebhookRequest } from '../connector.ts';
import { SupplierError } from '../errors.ts';
import { afterSaleStatusOf, orderStatusOf, toShipment } from './mapper.ts';
import { verifyBrandWebhook } from './sign.ts';
import { OrderEventData, ReturnEventData, WebhookEvent } from './wire.ts';

/** The signature header, as sent (header names are case-insensitive). */
export const SIGNATURE_HEADER = 'x-brand-signature';

/** Any 2xx counts as accepted; the brand retries anything else. */
export const BRAND_ACK: WebhookAck = { status: 200, contentType: 'application/json', body: '{"received":true}' };

function headerOf(headers: Record<string, string | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * Brand webhooks: `X-Brand-Signature: t=…,v1=…` over `t + "." + raw body`, stale after 5 minutes.
 * The event `id` is stable across the brand's retries, so it is the hub's dedup key.
 */
export function brandInbound(supplier: string, webhookSecret: string, toleranceMs = 5 * 60_000): WebhookInbound {
  return {
    mode: 'webhook',
    ack: BRAND_ACK,
    verify(req: WebhookRequest, now: Date): InboundMessage {
      const verdict = verifyBrandWebhook(headerOf(req.headers, SIGNATURE_HEADER), req.rawBody, webhookSecret, now, toleranceMs);
      if (!verdict.ok) throw new SupplierError(supplier, 'bad_signature', `webhook rejected: ${verdict.reason}`, { supplierCode: verdict.reason });
      const event = readEvent(supplier, req.rawBody);
      return { eventId: event.id, eventType: event.type, raw: req.rawBody };
    },
    parse(message: InboundMessage): SupplierEvent[] {
      const event = readEvent(supplier, message.raw);
      try {
        return eventsOf(event);
      } catch (err) {
        throw new SupplierError(supplier, 'invalid_response', `unreadable ${event.type} event ${event.id}`, { retryable: false, cause: err });
      }
    },
  };
}

function readEvent(supplier: string, raw: string): WebhookEvent {
  try {
    return WebhookEvent.parse(JSON.parse(raw));
  } catch (err) {
    // Authentic but unreadable: the brand changed its format; retrying will not help.
    throw new SupplierError(supplier, 'invalid_response', 'webhook body is not a brand event', { retryable: false, cause: err });
  }
}

// What each return event says, whatever its `data.status` (an unknown return.* type falls back on it).
const RETURN_EVENT_STATUS: Readonly<Record<string, AfterSaleStatus>> = {
  'return.approved': 'approved',
  'return.received': 'received',
  'return.rejected': 'rejected',
  'return.refunded': 'refunded',
  'return.completed': 'completed',
};

/** The neutral events of one brand event; an unknown type gives none (brands add types over time). */
export function eventsOf(event: WebhookEvent): SupplierEvent[] {
  const at = event.created;
  if (event.type.startsWith('return.')) {
    const d = ReturnEventData.parse(event.data);
    const status = RETURN_EVENT_STATUS[event.type] ?? (d.status ? afterSaleStatusOf(d.status) : undefined);
    if (!status) return [];
    return [{ type: 'aftersale.updated', afterSaleId: d.returnId, ...(d.orderId ? { supplierOrderId: d.orderId } : {}), status, at }];
  }
  if (!event.type.startsWith('order.')) return [];
  const d = OrderEventData.parse(event.data);
  const ref = d.clientReference ? { reference: d.clientReference } : {};
  switch (event.type) {
    case 'order.accepted':
      // An order of services only is done on acceptance: its e-voucher codes are in the order.
      if (d.status === 'issued' && d.clientReference) return [{ type: 'order.issued', supplierOrderId: d.orderId, reference: d.clientReference, at }];
      return [{ type: 'order.updated', supplierOrderId: d.orderId, ...ref, status: d.status ? orderStatusOf(d.status) : 'accepted', at }];
    case 'order.backordered':
      return [{ type: 'order.updated', supplierOrderId: d.orderId, ...ref, status: 'backordered', at }];
    case 'order.shipped':
      if (!d.shipment) throw new Error('order.shipped without a shipment');
      return [{ type: 'order.shipped', supplierOrderId: d.orderId, ...ref, shipment: toShipment(d.shipment), at }];
    case 'order.delivered':
      return [{ type: 'order.delivered', supplierOrderId: d.orderId, ...ref, ...(d.trackingNumber ? { trackingNo: d.trackingNumber } : {}), at }];
    case 'order.cancelled':
      return [{ type: 'order.cancelled', supplierOrderId: d.orderId, ...ref, ...(d.reason ? { reason: d.reason } : {}), at }];
    default:
      return [];
  }
}
