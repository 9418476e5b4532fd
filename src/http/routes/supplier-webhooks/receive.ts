import type { Context } from 'hono';
import type { SupplierKind, WebhookInbound } from '../../../../connectors/connector.ts';
import { SupplierError } from '../../../../connectors/errors.ts';
import { AppError } from '../../../domain/errors.ts';
import { storeInboundEvent } from '../../../supplier-events/inbound-events.ts';
import type { HubEnv } from '../../context.ts';
import { errorResponse } from '../../errors.ts';
import { enqueue } from '../../../queues/enqueue.ts';

/** The answer of a supplier webhook route: the supplier's own acknowledgement, or a contract error. */
export interface SupplierWebhookResult {
  /** `stored` the first time, `duplicate` for a repeat (acknowledged, ignored). */
  outcome: 'stored' | 'duplicate';
  inboundEventId: string;
}

/**
 * Receives one supplier webhook: verified with the connector's own scheme (bad or stale → 401,
 * nothing stored), stored raw in inbound_event, acknowledged the way the supplier expects, and
 * only then processed, off the request (a queue job; the reconciler re-queues what Redis loses).
 */
export async function receiveSupplierWebhook(c: Context<HubEnv>, supplierId: string, kind: SupplierKind): Promise<Response> {
  const deps = c.get('deps');
  const connector = deps.connectors.get(supplierId);
  if (!connector || connector.kind !== kind || connector.inbound.mode !== 'webhook') return errorResponse(c, new AppError('not_found', `no ${kind} supplier ${supplierId}`));
  const inbound: WebhookInbound = connector.inbound;
  const rawBody = await c.req.text();
  if (Buffer.byteLength(rawBody) > deps.config.bodyLimitBytes) return errorResponse(c, new AppError('payload_too_large', `body larger than ${deps.config.bodyLimitBytes} bytes`));
  const headers: Record<string, string> = {};
  c.req.raw.headers.forEach((value, key) => {
    headers[key] = value;
  });
  let message;
  try {
    message = inbound.verify({ headers, rawBody }, deps.supplierNow?.() ?? deps.clock.now());
  } catch (err) {
    if (err instanceof SupplierError && err.code === 'bad_signature') {
      // The reason (bad, stale, missing) is safe to say; the body and headers are never logged.
      return errorResponse(c, new AppError('unauthorized', `${kind} webhook signature rejected`, { details: { reason: err.supplierCode ?? 'bad_signature' } }));
    }
    if (err instanceof SupplierError) return errorResponse(c, new AppError('validation_failed', `${kind} webhook body is not understood`));
    throw err;
  }
  const stored = await storeInboundEvent(c.get('em'), deps.clock, { supplier: supplierId, eventId: message.eventId, eventType: message.eventType, body: message.raw });
  if (!stored.duplicate) {
    enqueue
      .inboundEvent(deps.queues, stored.id, { fresh: true })
      .catch((err: unknown) => (c.get('logger') ?? deps.logger).warn({ err: err instanceof Error ? err.message : String(err), supplierId }, 'supplier event left to the reconciler'));
  }
  c.header('x-hub-inbound-event', stored.duplicate ? 'duplicate' : 'stored');
  return c.body(inbound.ack.body, inbound.ack.status as 200, { 'content-type': inbound.ack.contentType });
}
