import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { enableMallWebhook, replayDelivery, replayFailedDeliveries, webhookHealth } from '../../../mall-webhooks/webhook-deliveries.ts';
import { enqueueWebhookDeliveries } from '../../../queues/processors/webhook-delivery.processor.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { MALL_ID_EXAMPLE, MallIdParam, staffSecurity, Timestamp } from '../../schemas.ts';
import { DELIVERY_EXAMPLE, DeliveryIdParam } from './webhook-deliveries.ts';

const Queued = z.object({ queued: z.number().int().openapi({ description: 'Deliveries queued to be sent now' }) }).openapi('WebhookReplayResult');

const replay = createRoute({
  method: 'post',
  path: '/admin/webhook-deliveries/{id}/replay',
  operationId: 'replayWebhookDelivery',
  tags: ['Admin: webhooks'],
  summary: 'Send a delivery again now (same event id), with a fresh retry schedule',
  description: 'Any delivery, delivered ones included: the mall deduplicates on the event id (`webhook-id`). It goes out at once and, if it fails, follows the whole retry schedule again. Audited.',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: DeliveryIdParam },
  responses: {
    202: jsonResponse('Queued', z.object({ id: z.string(), status: z.literal('pending') }), { id: DELIVERY_EXAMPLE.id, status: 'pending' }),
    ...errorResponses(403, 404),
  },
});

const replayFailed = createRoute({
  method: 'post',
  path: '/admin/malls/{mallId}/webhook-deliveries/replay-failed',
  operationId: 'replayFailedWebhookDeliveries',
  tags: ['Admin: webhooks'],
  summary: "Send every failed and dead delivery of a mall again now",
  description: 'After a mall fixed its endpoint: every delivery of the mall in `failed` or `dead` goes out at once, each with a fresh retry schedule. Audited.',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: MallIdParam },
  responses: { 202: jsonResponse('Queued', Queued, { queued: 37 }), ...errorResponses(403, 404) },
});

const enable = createRoute({
  method: 'post',
  path: '/admin/malls/{mallId}/webhook/enable',
  operationId: 'enableMallWebhook',
  tags: ['Admin: webhooks'],
  summary: 'Re-enable a mall webhook disabled by a 410; deliveries that waited go now',
  description: 'An endpoint that answered 410 Gone is disabled and new events wait as pending deliveries; this turns it back on and sends everything that waited. Enabling an enabled endpoint changes nothing. Audited.',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: MallIdParam },
  responses: {
    200: jsonResponse('Enabled', z.object({ mallId: z.string(), enabled: z.literal(true), queued: z.number().int().openapi({ description: 'Deliveries that waited, queued now' }) }), {
      mallId: MALL_ID_EXAMPLE,
      enabled: true,
      queued: 112,
    }),
    ...errorResponses(403, 404),
  },
});

const WebhookHealth = z
  .object({
    mallId: z.string(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().openapi({ description: 'Why it was disabled (a 410 answer), while it is' }),
    consecutiveFailures: z.number().int().openapi({ description: 'Failed attempts since the last success' }),
    failingSince: Timestamp.nullable().openapi({ description: 'The first of those failures (null: not failing)' }),
    lastSuccessAt: Timestamp.nullable(),
    pending: z.number().int().openapi({ description: 'Deliveries not yet sent or waiting for an attempt' }),
    failed: z.number().int().openapi({ description: 'Deliveries whose last attempt failed, with another scheduled' }),
    dead: z.number().int().openapi({ description: 'Deliveries that ran out of attempts' }),
  })
  .openapi('WebhookHealth');
/** A mall's webhook health as the admin API answers it. */
export type WebhookHealthView = z.infer<typeof WebhookHealth>;

const health = createRoute({
  method: 'get',
  path: '/admin/malls/{mallId}/webhook-health',
  operationId: 'getMallWebhookHealth',
  tags: ['Admin: webhooks'],
  summary: "A mall's webhook endpoint: enabled, consecutive failures, failing since, backlog (agents and admins)",
  description: 'Whether the endpoint takes deliveries, how long it has been failing and how much waits for it.',
  security: staffSecurity,
  request: { params: MallIdParam },
  responses: {
    200: jsonResponse('Health', WebhookHealth, {
      mallId: MALL_ID_EXAMPLE,
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 4,
      failingSince: '2026-12-01T05:30:00.412Z',
      lastSuccessAt: '2026-12-01T05:12:43.091Z',
      pending: 12,
      failed: 9,
      dead: 0,
    }),
    ...errorResponses(404),
  },
});

/** POST …/replay, POST …/replay-failed, POST …/webhook/enable, GET …/webhook-health */
export function registerWebhookDeliveryActions(app: HubApp): void {
  app.openapi(replay, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const { actor, requestId } = auditContext(c);
    const done = await c.get('em').transactional(async (tx) => {
      const r = await replayDelivery(tx, deps.clock, id);
      if (!r) throw notFound('webhook delivery');
      recordAudit(tx, deps.clock, { actor, action: 'webhook_delivery.replay', resourceType: 'webhook_delivery', resourceId: id, before: { status: r.before }, after: { status: 'pending' }, requestId });
      return r;
    });
    // If Redis loses this, the reconciler finds the delivery due.
    await enqueueWebhookDeliveries(deps.queues, [done.job], { batchSize: deps.config.webhook.batchSize });
    return c.json({ id, status: 'pending' as const }, 202);
  });

  app.openapi(replayFailed, async (c) => {
    const deps = c.get('deps');
    const { mallId } = c.req.valid('param');
    const { actor, requestId } = auditContext(c);
    const jobs = await c.get('em').transactional(async (tx) => {
      await deps.malls.get(tx, mallId);
      const j = await replayFailedDeliveries(tx, deps.clock, mallId);
      recordAudit(tx, deps.clock, { actor, action: 'webhook_delivery.replay_failed', resourceType: 'mall', resourceId: mallId, mallId, after: { replayed: j.length }, requestId });
      return j;
    });
    await enqueueWebhookDeliveries(deps.queues, jobs, { batchSize: deps.config.webhook.batchSize });
    return c.json({ queued: jobs.length }, 202);
  });

  app.openapi(enable, async (c) => {
    const deps = c.get('deps');
    const { mallId } = c.req.valid('param');
    const { actor, requestId } = auditContext(c);
    const r = await c.get('em').transactional(async (tx) => {
      const res = await enableMallWebhook(tx, deps.clock, mallId);
      if (!res) throw notFound('mall');
      recordAudit(tx, deps.clock, { actor, action: 'mall.webhook_enable', resourceType: 'mall', resourceId: mallId, mallId, before: { enabled: res.wasEnabled, reason: res.reason }, after: { enabled: true }, requestId });
      return res;
    });
    await enqueueWebhookDeliveries(deps.queues, r.jobs, { batchSize: deps.config.webhook.batchSize });
    return c.json({ mallId, enabled: true as const, queued: r.jobs.length }, 200);
  });

  app.openapi(health, async (c) => {
    const h = await webhookHealth(c.get('em'), c.req.valid('param').mallId);
    if (!h) throw notFound('mall');
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    return c.json({ ...h, failingSince: iso(h.failingSince), lastSuccessAt: iso(h.lastSuccessAt) }, 200);
  });
}
