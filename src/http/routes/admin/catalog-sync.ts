import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { syncStatus } from '../../../catalog/sync-status.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { staffSecurity } from '../../schemas.ts';
import { enqueue } from '../../../queues/enqueue.ts';

const Status = z
  .object({
    supplierId: z.string(),
    lastRun: z
      .object({
        runId: z.string(), mode: z.string(), status: z.string(), pages: z.number().int(), seen: z.number().int(), removed: z.number().int(),
        errors: z.number().int(), lastError: z.string().nullable(), startedAt: z.string(), finishedAt: z.string().nullable(),
        since: z.string().nullable().openapi({ description: 'Incremental runs: changes pulled from this time on' }),
        messages: z.number().int().openapi({ description: 'Incremental runs from a message pool (JD): messages applied' }),
      })
      .nullable(),
    lastSuccessAt: z.string().nullable(),
  })
  .openapi('SupplierSyncStatus');

const list = createRoute({
  method: 'get',
  path: '/admin/catalog/sync',
  operationId: 'listCatalogSyncStatus',
  tags: ['Admin: catalog'],
  summary: 'Catalog sync status per supplier: last run (progress, counts, errors) and last success',
  security: staffSecurity,
  responses: { 200: { description: 'Status per supplier', content: { 'application/json': { schema: z.object({ items: z.array(Status) }) } } }, ...errorResponses(401) },
});

const trigger = createRoute({
  method: 'post',
  path: '/admin/catalog/sync/{supplierId}',
  operationId: 'triggerCatalogSync',
  tags: ['Admin: catalog'],
  summary: 'Queue a full (default) or incremental catalog sync of one supplier (resumes a run that was interrupted)',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: {
    params: z.object({ supplierId: z.string().min(1).max(64).openapi({ param: { name: 'supplierId', in: 'path' }, example: 'jd' }) }),
    query: z.object({ mode: z.enum(['full', 'incremental']).default('full').openapi({ param: { name: 'mode', in: 'query' } }) }),
  },
  responses: { 202: { description: 'Queued', content: { 'application/json': { schema: z.object({ supplierId: z.string(), mode: z.enum(['full', 'incremental']), jobId: z.string().nullable() }) } } }, ...errorResponses(400, 401, 403, 404) },
});

/** GET /admin/catalog/sync, POST /admin/catalog/sync/{supplierId} */
export function registerCatalogSyncRoutes(app: HubApp): void {
  app.openapi(list, async (c) => c.json({ items: await syncStatus(c.get('em'), c.get('deps').supplierIds) }, 200));

  app.openapi(trigger, async (c) => {
    const deps = c.get('deps');
    const { supplierId } = c.req.valid('param');
    if (!deps.supplierIds.includes(supplierId)) throw notFound('supplier');
    const { mode } = c.req.valid('query');
    // One queued sync per supplier and mode at a time: the job id says which.
    const jobId = await enqueue.catalogSync(deps.queues, supplierId, mode);
    const { actor, requestId } = auditContext(c);
    const em = c.get('em');
    recordAudit(em, deps.clock, { actor, action: 'catalog.sync.trigger', resourceType: 'supplier', resourceId: supplierId, after: { jobId, mode }, requestId });
    await em.flush();
    return c.json({ supplierId, mode, jobId: jobId ?? null }, 202);
  });
}
