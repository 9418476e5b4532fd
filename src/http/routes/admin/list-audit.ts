import { createRoute, z } from '@hono/zod-openapi';
import type { FilterQuery } from '@mikro-orm/core';
import { type AuditEntry, AuditEntrySchema } from '../../../persistence/entities/audit-entry.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { decodeCursor, PageQuery, pageOf, toPage } from '../../pagination.ts';
import { staffSecurity } from '../../schemas.ts';

const Entry = z
  .object({
    id: z.string(),
    at: z.string(),
    actorType: z.string(),
    actorId: z.string(),
    action: z.string(),
    resourceType: z.string(),
    resourceId: z.string(),
    mallId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
  })
  .openapi('AuditEntry');

const Query = PageQuery.extend({
  actorId: z.string().optional().openapi({ param: { name: 'actorId', in: 'query' } }),
  resourceType: z.string().optional().openapi({ param: { name: 'resourceType', in: 'query' } }),
  resourceId: z.string().optional().openapi({ param: { name: 'resourceId', in: 'query' } }),
  mallId: z.string().optional().openapi({ param: { name: 'mallId', in: 'query' } }),
});

const route = createRoute({
  method: 'get',
  path: '/admin/audit',
  operationId: 'listAudit',
  tags: ['Admin: audit'],
  summary: 'Who did what, newest first',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: { query: Query },
  responses: { 200: { description: 'A page of audit entries', content: { 'application/json': { schema: pageOf(Entry) } } }, ...errorResponses(400, 401, 403) },
});

const view = (e: AuditEntry): z.infer<typeof Entry> => ({
  id: e.id,
  at: e.at.toISOString(),
  actorType: e.actorType,
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
