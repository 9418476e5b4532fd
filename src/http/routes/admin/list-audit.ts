import { createRoute, z } from '@hono/zod-openapi';
import type { FilterQuery } from '@mikro-orm/core';
import { type AuditEntry, AuditEntrySchema } from '../../../persistence/entities/audit-entry.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { MALL_ID_EXAMPLE, queryParam, staffSecurity, Timestamp } from '../../schemas.ts';
import { ACTOR_TYPES, type ActorType } from '../../../domain/principal.ts';

const Entry = z
  .object({
    id: z.string(),
    at: Timestamp,
    actorType: z.enum(ACTOR_TYPES).openapi({ description: 'Who acted: a mall (its API key), a staff role, or the hub itself' }),
    actorId: z.string().openapi({ description: 'The mall id, the staff token id (`bootstrap`: HUB_ADMIN_TOKEN), or the task' }),
    action: z.string().openapi({ description: 'What was done (`mall.create`, `mall.update`, `token.revoke`, `voucher.reveal`, …)' }),
    resourceType: z.string().openapi({ description: 'The kind of thing acted on (`mall`, `staff_token`, `order_line`, `workflow_run`, …)' }),
    resourceId: z.string(),
    mallId: z.string().nullable().openapi({ description: 'The mall concerned, if any' }),
    before: z.unknown().openapi({ description: 'The resource before (null for a creation or a read)' }),
    after: z.unknown().openapi({ description: 'The resource after, or what was read' }),
    requestId: z.string().nullable().openapi({ description: 'The `X-Request-Id` of the request that did it' }),
  })
  .openapi('AuditEntry');

const Query = PageQuery.extend({
  actorId: queryParam('actorId', z.string().optional(), 'Only what this actor did (a mall id or staff token id)', 'cred_0196f0b2c4d57e8f9a0b1c2d3e4f5a6b'),
  resourceType: queryParam('resourceType', z.string().optional(), 'Only actions on this kind of resource (`mall`, `staff_token`, `order_line`, …)', 'order_line'),
  resourceId: queryParam('resourceId', z.string().optional(), 'Only actions on this resource', 'lin_0196f0c1a2b37d4e8f9a0b1c2d3e4f60'),
  mallId: queryParam('mallId', z.string().optional(), 'Only entries concerning this mall', MALL_ID_EXAMPLE),
});

const route = createRoute({
  method: 'get',
  path: '/admin/audit',
  operationId: 'listAudit',
  tags: ['Admin: audit'],
  summary: 'Who did what, newest first',
  description: 'Entries are written in the transaction of the change they record (and for every read of full voucher codes), and never changed. Filters combine.',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { query: Query },
  responses: {
    200: jsonResponse('A page of audit entries', pageOf(Entry), {
      items: [
        {
          id: 'aud_0196f0c4e2a17b3c8d9e0f1a2b3c4d5e',
          at: '2026-12-01T06:12:44.508Z',
          actorType: 'mall',
          actorId: MALL_ID_EXAMPLE,
          action: 'voucher.reveal',
          resourceType: 'order_line',
          resourceId: 'lin_0196f0c1a2b37d4e8f9a0b1c2d3e4f60',
          mallId: MALL_ID_EXAMPLE,
          before: null,
          after: { orderId: 'ord_0196f0c1a1f07c3a8b1d2e3f4a5b6c7d', lineId: '2', voucherIds: ['vch_0196f0c3b1a27c4d8e9f0a1b2c3d4e5f'] },
          requestId: 'JF-REQ-20261201-000871',
        },
      ],
      nextCursor: 'eyJrIjoiYXVkXzAxOTZmMGM0ZTJhMTdiM2M4ZDllMGYxYTJiM2M0ZDVlIn0',
    }),
    ...errorResponses(400, 403),
  },
});

const view = (e: AuditEntry): z.infer<typeof Entry> => ({
  id: e.id,
  at: e.at.toISOString(),
  // Written only through recordAudit, whose actor is an ActorType.
  actorType: e.actorType as ActorType,
  actorId: e.actorId,
  action: e.action,
  resourceType: e.resourceType,
  resourceId: e.resourceId,
  mallId: e.mallId ?? null,
  before: e.before ?? null,
  after: e.after ?? null,
  requestId: e.requestId ?? null,
});

/** GET /admin/audit */
export function registerListAudit(app: HubApp): void {
  app.openapi(route, async (c) => {
    const q = c.req.valid('query');
    const before = decodeCursor(q.cursor);
    const where: FilterQuery<AuditEntry> = {};
    if (q.actorId) where.actorId = q.actorId;
    if (q.resourceType) where.resourceType = q.resourceType;
    if (q.resourceId) where.resourceId = q.resourceId;
    if (q.mallId) where.mallId = q.mallId;
    // Ids are time-ordered (UUIDv7), so id order is time order.
    if (before) where.id = { $lt: before };
    const rows = await c.get('em').find(AuditEntrySchema, where, { orderBy: { id: 'desc' }, limit: q.limit + 1 });
    return c.json(toPage(rows, q.limit, view), 200);
  });
}
