import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { type AttemptRow, attemptsOf, type DeliveryRow, getDelivery, listDeliveries } from '../../../mall-webhooks/webhook-delivery-queries.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { MALL_ID_EXAMPLE, pathParam, queryParam, staffSecurity, Timestamp } from '../../schemas.ts';
import type { DeliveryStatus } from '../../../mall-webhooks/webhook-deliveries.ts';

const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead'] as const satisfies readonly DeliveryStatus[];
const DeliveryStatusSchema = z
  .enum(DELIVERY_STATUSES)
  .openapi('WebhookDeliveryStatus', { description: '`pending`: not sent yet or waiting for its next attempt; `delivered`: a 2xx came back; `failed`: an attempt failed, another is scheduled; `dead`: every attempt failed (replay it)' });

const Attempt = z
  .object({
    at: Timestamp,
    statusCode: z.number().int().nullable().openapi({ description: "The mall endpoint's HTTP status (null: no answer)" }),
    error: z.string().nullable().openapi({ description: 'Why the attempt failed without an answer (timeout, refused connection, …)' }),
    latencyMs: z.number().int(),
    responseSnippet: z.string().nullable().openapi({ description: 'First 500 characters of the answer' }),
  })
  .openapi('WebhookAttempt');

export const WebhookDelivery = z
  .object({
    id: z.string(),
    eventId: z.string().openapi({ description: 'The `webhook-id` header; the same on every attempt' }),
    mallId: z.string(),
    orderId: z.string().nullable(),
    type: z.string().openapi({ description: 'The event type (see `webhooks`)' }),
    status: DeliveryStatusSchema,
    attempts: z.number().int(),
    nextAttemptAt: Timestamp.nullable().openapi({ description: 'When the next attempt is due (null: none scheduled)' }),
    lastStatus: z.number().int().nullable().openapi({ description: 'HTTP status of the last attempt (null: none, or no answer)' }),
    lastError: z.string().nullable(),
    deliveredAt: Timestamp.nullable(),
    createdAt: Timestamp,
    attemptLog: z.array(Attempt).openapi({ description: 'Every attempt, oldest first' }),
  })
  .openapi('WebhookDelivery');
/** One delivery with its attempts, as the admin API answers it. */
export type WebhookDeliveryView = z.infer<typeof WebhookDelivery>;

export const DELIVERY_EXAMPLE: WebhookDeliveryView = {
  id: 'whd_0196f0c1a2c57e6f9a0b1c2d3e4f5a6b',
  eventId: 'evt_0196f0c1a2b37d4e8f9a0b1c2d3e4f53',
  mallId: MALL_ID_EXAMPLE,
  orderId: 'ord_0196f0c1a1f07c3a8b1d2e3f4a5b6c7d',
  type: 'line.shipped',
  status: 'failed',
  attempts: 2,
  nextAttemptAt: '2026-12-01T05:35:20.415Z',
  lastStatus: 502,
  lastError: null,
  deliveredAt: null,
  createdAt: '2026-12-01T05:30:00.120Z',
  attemptLog: [
    { at: '2026-12-01T05:30:00.412Z', statusCode: null, error: 'timed out after 15000 ms', latencyMs: 15_001, responseSnippet: null },
    { at: '2026-12-01T05:30:20.415Z', statusCode: 502, error: null, latencyMs: 87, responseSnippet: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>' },
  ],
};

export const DeliveryIdParam = z.object({ id: pathParam('id', z.string().min(1).max(64), 'The delivery id, as listed', DELIVERY_EXAMPLE.id) });

const list = createRoute({
  method: 'get',
  path: '/admin/webhook-deliveries',
  operationId: 'listWebhookDeliveries',
  tags: ['Admin: webhooks'],
  summary: 'Webhook deliveries to malls with their attempts, newest first (agents and admins)',
  description: 'One delivery per event and mall, with every attempt: to answer "did the hub send it, and what did our endpoint say?". Filters combine.',
  security: staffSecurity,
  request: {
    query: PageQuery.extend({
      mallId: queryParam('mallId', z.string().max(64).optional(), 'Only deliveries to this mall', MALL_ID_EXAMPLE),
      orderId: queryParam('orderId', z.string().max(64).optional(), 'Only deliveries of this order’s events (hub order id)', 'ord_0196f0c1a1f07c3a8b1d2e3f4a5b6c7d'),
      status: queryParam('status', DeliveryStatusSchema.optional(), 'Only deliveries in this status', 'failed'),
    }),
  },
  responses: { 200: jsonResponse('Deliveries', pageOf(WebhookDelivery), { items: [DELIVERY_EXAMPLE], nextCursor: null }), ...errorResponses(400) },
});

const get = createRoute({
  method: 'get',
  path: '/admin/webhook-deliveries/{id}',
  operationId: 'getWebhookDelivery',
  tags: ['Admin: webhooks'],
  summary: 'One webhook delivery with every attempt (agents and admins)',
  description: 'The delivery, its status and schedule, and each attempt with the status, latency and first 500 characters of the answer.',
  security: staffSecurity,
  request: { params: DeliveryIdParam },
  responses: { 200: jsonResponse('The delivery', WebhookDelivery, DELIVERY_EXAMPLE), ...errorResponses(404) },
});

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function view(r: DeliveryRow, attempts: AttemptRow[]): WebhookDeliveryView {
  return {
    id: r.id, eventId: r.event_id, mallId: r.mall_id, orderId: r.order_id, type: r.type, status: r.status, attempts: Number(r.attempts),
    nextAttemptAt: iso(r.next_attempt_at), lastStatus: r.last_status, lastError: r.last_error, deliveredAt: iso(r.delivered_at), createdAt: new Date(r.created_at).toISOString(),
    attemptLog: attempts.filter((a) => a.delivery_id === r.id).map((a) => ({
      at: new Date(a.at).toISOString(), statusCode: a.status_code, error: a.error, latencyMs: Number(a.latency_ms), responseSnippet: a.response_snippet,
    })),
  };
}

/** GET /admin/webhook-deliveries, GET /admin/webhook-deliveries/{id} */
export function registerWebhookDeliveryRoutes(app: HubApp): void {
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const em = c.get('em');
    const rows = await listDeliveries(em, { ...q, after: decodeCursor(q.cursor) });
    const attempts = await attemptsOf(em, rows.slice(0, q.limit).map((r) => r.id));
    return c.json(toPage(rows, q.limit, (r) => view(r, attempts)), 200);
  });

  app.openapi(get, async (c) => {
    const em = c.get('em');
    const row = await getDelivery(em, c.req.valid('param').id);
    if (!row) throw notFound('webhook delivery');
    return c.json(view(row, await attemptsOf(em, [row.id])), 200);
  });
}
