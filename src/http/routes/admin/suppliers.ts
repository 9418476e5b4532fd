import { createRoute, z } from '@hono/zod-openapi';
import { SYNC_MODES, SYNC_RUN_STATUSES } from '../../../catalog/sync-status.ts';
import { CIRCUIT_STATES, SUPPLIER_KINDS } from '../../../domain/supplier-shapes.ts';
import { getSupplierHealth, listSupplierHealth, type SupplierHealthDeps, type SupplierHealthView } from '../../../suppliers/supplier-health.ts';
import type { HubApp } from '../../app-type.ts';
import { documentedError, errorResponses } from '../../errors.ts';
import { requireRole } from '../../middleware/auth.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { pathParam, staffSecurity, Timestamp } from '../../schemas.ts';

/** The staff's view of each supplier account (issue 19, Admin API "Suppliers"): health, circuit, last sync, open after-sales, balance. Agents and admins. */

const staff = { security: staffSecurity, middleware: [requireRole('agent', 'admin')], tags: ['Admin: suppliers'] };

const SupplierHealth = z
  .object({
    supplierId: z.string().openapi({ description: 'The supplier account as the hub knows it', example: 'jd' }),
    kind: z.enum(SUPPLIER_KINDS).openapi({ description: 'Which API it speaks: JD VOP, Taobao TOP 供销, the brands’ REST API, a recharge platform', example: 'jd' }),
    circuit: z
      .enum(CIRCUIT_STATES)
      .openapi({ description: 'The worst of the processes’ circuits. `open`: after repeated failures a process stops calling the supplier (its routing skips it) until a trial call after the half-open delay; `half_open`: that trial call; `closed`: calling', example: 'closed' }),
    inFlight: z.number().int().min(0).openapi({ description: 'Calls to the supplier under way now, in all processes', example: 2 }),
    calls: z.number().int().min(0).openapi({ description: 'Attempts that reached the supplier within the window (a retry is an attempt; calls refused while the circuit was open are not counted)', example: 1284 }),
    failures: z.number().int().min(0).openapi({ description: 'Of those, the failures that say the supplier is unhealthy: HTTP 5xx or its “system busy” code, timeouts, network errors, unreadable answers. Business refusals (stockout, unserviceable region, not cancellable, …) are not failures', example: 6 }),
    errorRate: z.number().min(0).max(1).openapi({ description: '`failures / calls` (0 without calls)', example: 0.0047 }),
    p50Ms: z.number().min(0).nullable().openapi({ description: 'Median latency of the window’s attempts in ms (null without calls); with several processes, the highest of theirs', example: 182.4 }),
    p95Ms: z.number().min(0).nullable().openapi({ description: '95th percentile latency in ms (null without calls); with several processes, the highest of theirs', example: 611 }),
    windowMs: z.number().int().positive().openapi({ description: 'How far back `calls`, `failures`, `errorRate` and the percentiles reach (5 minutes)', example: 300_000 }),
    lastErrorAt: Timestamp.nullable().openapi({ description: 'When the last failure happened, even before the window (null: none since the processes started)' }),
    lastError: z.string().nullable().openapi({ description: 'The last failure: its code, the supplier’s own code in brackets, and the message, with URLs left out and long numbers masked', example: 'unavailable (1008): 系统繁忙' }),
    lastSync: z
      .object({
        runId: z.string(),
        mode: z.enum(SYNC_MODES).openapi({ description: '`full`: the whole catalog; `incremental`: what changed since the last run' }),
        status: z.enum(SYNC_RUN_STATUSES).openapi({ description: '`running`, `succeeded` or `failed`' }),
        startedAt: Timestamp,
        finishedAt: Timestamp.nullable().openapi({ description: 'null while running' }),
        pages: z.number().int().openapi({ description: 'Pages read' }),
        seen: z.number().int().openapi({ description: 'Listings read' }),
        removed: z.number().int().openapi({ description: 'Listings the supplier no longer has, marked removed (full runs)' }),
        errors: z.number().int().openapi({ description: 'Failed attempts of the run' }),
        lastError: z.string().nullable(),
        lastSuccessAt: Timestamp.nullable().openapi({ description: 'When the last successful run (of either mode) finished' }),
      })
      .nullable()
      .openapi({ description: 'The latest catalog sync run (null: never synced); GET /admin/catalog/sync has the same with `since` and `messages`' }),
    openAfterSales: z.number().int().min(0).openapi({ description: 'After-sales tickets of every mall not final yet (`open`, `in_progress`) on this supplier: the one a ticket was taken to, else the one that fulfilled its line', example: 3 }),
    balance: z
      .object({
        fen: z.number().int().openapi({ description: 'Prepaid balance left at the supplier, in fen', example: 8_523_400 }),
        readAt: Timestamp,
      })
      .nullable()
      .openapi({ description: 'Read live from the supplier. Only recharge platforms (`topup`) have a balance call; null for the others, and null when the read failed or took longer than 2 s' }),
    processes: z.number().int().min(1).openapi({ description: 'How many hub processes’ figures the circuit and call statistics merge, the answering one included', example: 2 }),
  })
  .openapi('SupplierHealth');

const EXAMPLE: SupplierHealthView[] = [
  {
    supplierId: 'jd', kind: 'jd', circuit: 'closed', inFlight: 2, calls: 1284, failures: 6, errorRate: 0.0047, p50Ms: 182.4, p95Ms: 611, windowMs: 300_000,
    lastErrorAt: '2026-12-01T01:27:41.093Z', lastError: 'unavailable (1008): 系统繁忙',
    lastSync: { runId: '1842', mode: 'incremental', status: 'succeeded', startedAt: '2026-12-01T01:25:00.112Z', finishedAt: '2026-12-01T01:25:03.907Z', pages: 1, seen: 37, removed: 0, errors: 0, lastError: null, lastSuccessAt: '2026-12-01T01:25:03.907Z' },
    openAfterSales: 3, balance: null, processes: 2,
  },
  {
    supplierId: 'taobao', kind: 'taobao', circuit: 'open', inFlight: 0, calls: 41, failures: 17, errorRate: 0.4146, p50Ms: 2410.5, p95Ms: 10_000.3, windowMs: 300_000,
    lastErrorAt: '2026-12-01T01:29:58.310Z', lastError: 'timeout: no answer (ECONNABORTED)',
    lastSync: { runId: '1839', mode: 'full', status: 'running', startedAt: '2026-11-30T19:00:00.004Z', finishedAt: null, pages: 118, seen: 11_800, removed: 0, errors: 1, lastError: 'taobao: no answer (ECONNABORTED)', lastSuccessAt: '2026-11-29T19:41:17.530Z' },
    openAfterSales: 1, balance: null, processes: 2,
  },
  {
    supplierId: 'topup-fulu', kind: 'topup', circuit: 'closed', inFlight: 0, calls: 215, failures: 0, errorRate: 0, p50Ms: 64.2, p95Ms: 131.8, windowMs: 300_000,
    lastErrorAt: null, lastError: null,
    lastSync: { runId: '1840', mode: 'full', status: 'succeeded', startedAt: '2026-11-30T19:00:00.010Z', finishedAt: '2026-11-30T19:00:02.455Z', pages: 2, seen: 312, removed: 1, errors: 0, lastError: null, lastSuccessAt: '2026-11-30T19:00:02.455Z' },
    openAfterSales: 0, balance: { fen: 8_523_400, readAt: '2026-12-01T01:30:00.000Z' }, processes: 2,
  },
];

const HOW = 'The circuit and the call statistics are every hub process’s, merged: an `api` process makes the live availability checks and balance reads, the `worker`s the orders, syncs and polls. Each process shares its own through Redis every `HUB_SUPPLIER_HEALTH_EVERY_MS` (5 s), so the figures of another process are up to that old, and a process that stopped drops out after three periods; when Redis does not answer, they are the answering process’s alone (`processes`: 1). Sync runs and after-sales come from PostgreSQL.';

const list = createRoute({
  method: 'get',
  path: '/admin/suppliers',
  operationId: 'listSuppliers',
  ...staff,
  summary: 'Every supplier account with its health, circuit, last catalog sync, open after-sales and balance (agents and admins)',
  description: `One entry per configured supplier account, in configuration order. ${HOW} Balances are read live from the suppliers that have a balance call (recharge platforms), in parallel, for at most 2 s.`,
  responses: { 200: jsonResponse('Each supplier account', z.object({ items: z.array(SupplierHealth) }), { items: EXAMPLE }), ...errorResponses(403) },
});

const get = createRoute({
  method: 'get',
  path: '/admin/suppliers/{supplierId}',
  operationId: 'getSupplier',
  ...staff,
  summary: 'One supplier account with its health, circuit, last catalog sync, open after-sales and balance (agents and admins)',
  description: `As one entry of GET /admin/suppliers. ${HOW}`,
  request: { params: z.object({ supplierId: pathParam('supplierId', z.string().min(1).max(64), 'A configured supplier account (`jd`, `taobao`, `brand-acme`, `topup-fulu`, …)', 'jd') }) },
  responses: {
    200: jsonResponse('The supplier account', SupplierHealth, EXAMPLE[0] as SupplierHealthView),
    404: documentedError(404, { description: 'No supplier account of that id is configured (`not_found`)', examples: { unknown: { summary: 'Unknown supplier', value: { error: { code: 'not_found', message: 'supplier not found' } } } } }),
    ...errorResponses(400, 403),
  },
});

/** GET /admin/suppliers, GET /admin/suppliers/{supplierId} */
export function registerSupplierRoutes(app: HubApp): void {
  const deps = (c: Parameters<Parameters<typeof app.openapi>[1]>[0]): SupplierHealthDeps => {
    const d = c.get('deps');
    return { em: c.get('em'), clock: d.clock, supplierIds: d.supplierIds, connectors: d.connectors, others: () => d.supplierHealth.others() };
  };
  app.openapi(list, async (c) => c.json({ items: await listSupplierHealth(deps(c)) }, 200));
  app.openapi(get, async (c) => c.json(await getSupplierHealth(deps(c), c.req.valid('param').supplierId), 200));
}
