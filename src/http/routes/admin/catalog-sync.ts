import { createRoute, z } from '@hono/zod-openapi';
import { notFound } from '../../../domain/errors.ts';
import { recordAudit } from '../../../audit/audit-log.ts';
import { openLoadView } from '../../../catalog/first-load-store.ts';
import { SYNC_MODES, SYNC_RUN_STATUSES, syncStatus } from '../../../catalog/sync-status.ts';
import type { HubApp } from '../../app-type.ts';
import { auditContext } from '../../audit-context.ts';
import { errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { pathParam, queryParam, staffSecurity, Timestamp } from '../../schemas.ts';
import { enqueue } from '../../../queues/enqueue.ts';

const SyncModeSchema = z.enum(SYNC_MODES).openapi('SyncMode', { description: '`full`: the whole catalog of the supplier; `incremental`: what changed since the last run' });

const Run = z
  .object({
    runId: z.string(),
    mode: SyncModeSchema,
    status: z.enum(SYNC_RUN_STATUSES).openapi({ description: '`running` (possibly taken over after a crash), `succeeded` or `failed`' }),
    pages: z.number().int().openapi({ description: 'Pages read so far (each committed with its checkpoint)' }),
    seen: z.number().int().openapi({ description: 'Listings read so far' }),
    written: z.number().int().openapi({ description: 'Offers written so far: new or changed listings. The others matched the stored offer and were only marked seen' }),
    removed: z.number().int().openapi({ description: 'Listings the supplier no longer has, marked removed (full runs)' }),
    errors: z.number().int(),
    lastError: z.string().nullable(),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable().openapi({ description: 'null while running' }),
    heartbeatAt: Timestamp.openapi({ description: 'The last page checkpoint (the start before the first): a running run whose heartbeat stops moving has lost its worker and is taken over once its lease runs out' }),
    skusPerSecond: z.number().int().openapi({ description: 'Listings seen per second, from the start to the last checkpoint (to the end once finished)' }),
    since: Timestamp.nullable().openapi({ description: 'Incremental runs: changes pulled from this time on' }),
    messages: z.number().int().openapi({ description: 'Incremental runs from a message pool (JD): messages applied' }),
  })
  .openapi('CatalogSyncRun');

const Status = z
  .object({
    supplierId: z.string(),
    lastRun: Run.nullable().openapi({ description: 'The latest run (null: never synced)' }),
    running: z.array(Run).openapi({ description: 'Runs in progress, oldest first: a full and an incremental run may run side by side, and the full one is not always the latest' }),
    lastSuccessAt: Timestamp.nullable().openapi({ description: 'When the last successful run finished' }),
  })
  .openapi('SupplierSyncStatus');

const FirstLoad = z
  .object({
    loadId: z.string(),
    status: z.enum(['loading', 'publishing']).openapi({ description: '`loading`: its syncs write pages, their items not yet in any mall; `publishing`: every item being computed from its offers and priced, the search indexes built' }),
    startedAt: Timestamp,
    publishingAt: Timestamp.nullable().openapi({ description: 'null while loading' }),
    items: z.number().int().openapi({ description: 'Items in the catalog' }),
    computed: z.number().int().openapi({ description: 'Items publishing has computed from their offers so far' }),
    priced: z.number().int().openapi({ description: 'Items publishing has priced for every active mall so far' }),
  })
  .openapi('CatalogFirstLoad');

const list = createRoute({
  method: 'get',
  path: '/admin/catalog/sync',
  operationId: 'listCatalogSyncStatus',
  tags: ['Admin: catalog'],
  summary: 'Catalog sync status per supplier: last run and runs in progress (pages, SKUs seen and written, SKU/s, errors), last success',
  description:
    'One entry per configured supplier account, in configuration order. Full syncs run nightly, incremental ones every few minutes; a run interrupted by a crash is taken over by the next worker. ' +
    'Progress is committed with each page, so polling this shows a running sync advance; /metrics carries the same for running runs (hub_catalog_sync_running_*). ' +
    'The full syncs that fill an empty catalog load it together and publish it once, when none of them is still running: `firstLoad` shows that load until it is published (null otherwise).',
  security: staffSecurity,
  responses: {
    200: jsonResponse('Status per supplier', z.object({ items: z.array(Status), firstLoad: FirstLoad.nullable().openapi({ description: "The catalog's first load while it is open" }) }), {
      firstLoad: null,
      items: [
        {
          supplierId: 'jd',
          lastRun: {
            runId: '1842', mode: 'incremental', status: 'succeeded', pages: 1, seen: 37, written: 37, removed: 0, errors: 0, lastError: null, startedAt: '2026-12-01T01:25:00.112Z',
            finishedAt: '2026-12-01T01:25:03.907Z', heartbeatAt: '2026-12-01T01:25:03.907Z', skusPerSecond: 10, since: '2026-12-01T01:10:00.000Z', messages: 42,
          },
          running: [],
          lastSuccessAt: '2026-12-01T01:25:03.907Z',
        },
        {
          supplierId: 'taobao',
          lastRun: {
            runId: '1839', mode: 'full', status: 'running', pages: 118, seen: 11_800, written: 236, removed: 0, errors: 1, lastError: 'taobao timeout: no answer within 10000 ms',
            startedAt: '2026-11-30T19:00:00.004Z', finishedAt: null, heartbeatAt: '2026-11-30T19:00:12.391Z', skusPerSecond: 953, since: null, messages: 0,
          },
          running: [
            {
              runId: '1839', mode: 'full', status: 'running', pages: 118, seen: 11_800, written: 236, removed: 0, errors: 1, lastError: 'taobao timeout: no answer within 10000 ms',
              startedAt: '2026-11-30T19:00:00.004Z', finishedAt: null, heartbeatAt: '2026-11-30T19:00:12.391Z', skusPerSecond: 953, since: null, messages: 0,
            },
          ],
          lastSuccessAt: '2026-11-29T19:41:17.530Z',
        },
        { supplierId: 'brand-lumen', lastRun: null, running: [], lastSuccessAt: null },
      ],
    }),
  },
});

const trigger = createRoute({
  method: 'post',
  path: '/admin/catalog/sync/{supplierId}',
  operationId: 'triggerCatalogSync',
  tags: ['Admin: catalog'],
  summary: 'Queue a full (default) or incremental catalog sync of one supplier (resumes a run that was interrupted)',
  description: 'One queued sync per supplier and mode at a time: asking again while one waits queues nothing more. A worker runs it; follow it with GET /admin/catalog/sync. Audited.',
  security: staffSecurity,
  middleware: [requireRole('admin')] as const,
  request: {
    params: z.object({ supplierId: pathParam('supplierId', z.string().min(1).max(64), 'A configured supplier account (`jd`, `taobao`, `brand-acme`, `topup-fulu`, …)', 'jd') }),
    query: z.object({ mode: queryParam('mode', SyncModeSchema.default('full'), 'Which sync (default `full`)', 'full') }),
  },
  responses: {
    202: jsonResponse('Queued', z.object({ supplierId: z.string(), mode: SyncModeSchema, jobId: z.string().nullable().openapi({ description: 'The queue job (null when the queue did not return one)' }) }), {
      supplierId: 'jd',
      mode: 'full',
      jobId: 'full-jd',
    }),
    ...errorResponses(400, 403, 404),
  },
});

/** GET /admin/catalog/sync, POST /admin/catalog/sync/{supplierId} */
export function registerCatalogSyncRoutes(app: HubApp): void {
  app.openapi(list, async (c) => c.json({ items: await syncStatus(c.get('em'), c.get('deps').supplierIds), firstLoad: await openLoadView(c.get('em')) }, 200));

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
