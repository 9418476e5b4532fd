import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { type AttemptRow, attemptsOf, type DeliveryRow, getDelivery, listDeliveries } from '../../../mall-webhooks/webhook-delivery-queries.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { staffSecurity } from '../../schemas.ts';

const Attempt = z
  .object({
    at: z.string(),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
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
    type: z.string(),
    status: z.enum(['pending', 'delivered', 'failed', 'dead']),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    attemptLog: z.array(Attempt),
  })
  .openapi('WebhookDelivery');
/** One delivery with its attempts, as the admin API answers it. */
export type WebhookDeliveryView = z.infer<typeof WebhookDelivery>;

export const DeliveryIdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });

const list = createRoute({
  method: 'get',
  path: '/admin/webhook-deliveries',
  operationId: 'listWebhookDeliveries',
  tags: ['Admin: webhooks'],
  summary: 'Webhook deliveries to malls with their attempts, newest first (agents and admins)',
  security: staffSecurity,
  request: {
    query: PageQuery.extend({
      mallId: z.string().max(64).optional().openapi({ param: { name: 'mallId', in: 'query' } }),
      orderId: z.string().max(64).optional().openapi({ param: { name: 'orderId', in: 'query' }, description: 'Hub order id' }),
      status: z.enum(['pending', 'delivered', 'failed', 'dead']).optional().openapi({ param: { name: 'status', in: 'query' } }),
    }),
  },
  responses: { 200: { description: 'Deliveries', content: { 'application/json': { schema: pageOf(WebhookDelivery) } } }, ...errorResponses(400, 401) },
});

const get = createRoute({
  method: 'get',
  path: '/admin/webhook-deliveries/{id}',
  operationId: 'getWebhookDelivery',
  tags: ['Admin: webhooks'],
  summary: 'One webhook delivery with every attempt (agents and admins)',
  security: staffSecurity,
  request: { params: DeliveryIdParam },
  responses: { 200: { description: 'The delivery', content: { 'application/json': { schema: WebhookDelivery } } }, ...errorResponses(401, 404) },
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
