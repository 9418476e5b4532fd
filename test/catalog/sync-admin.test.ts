import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { processCatalogSync } from '../../src/queues/processors/catalog-sync.processor.ts';
import { queues } from '../../src/queues/registry.ts';
import { WorkerHost } from '../../src/queues/worker-host.ts';
import { createRedis } from '../../src/redis/connection.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let host: WorkerHost;
let events: QueueEvents;
let connection: ReturnType<typeof createRedis>;
let connectors: Map<string, SupplierConnector>;

beforeAll(async () => {
  hub = await startTestHub();
  const clock = new SandboxClock();
  server = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: 4, skus: 250, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers), clock));
  connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers, () => clock.now());
  connection = createRedis(hub.config.redisUrl);
  host = new WorkerHost({ connection, prefix: hub.config.redisPrefix, logger: hub.deps.logger, metrics: hub.deps.metrics, concurrency: 2 });
  host.register('catalogSync', (p) => processCatalogSync(p, { em: hub.deps.orm.em.fork(), clock: hub.clock, connectors, overlapMs: 60_000, leaseMs: 60_000 }));
  events = new QueueEvents(queues.catalogSync.name, { connection: connection.duplicate(), prefix: hub.config.redisPrefix });
  await events.waitUntilReady();
});
afterAll(async () => {
  await host?.close();
  await events?.close();
  connection?.disconnect();
  await server?.close();
  await hub?.close();
});

async function trigger(supplierId: string, token = ADMIN_TOKEN, mode?: 'full' | 'incremental') {
  return hub.call('POST', `/admin/catalog/sync/${supplierId}${mode ? `?mode=${mode}` : ''}`, { token });
}

async function finished(jobId: string) {
  const queue = new Queue(queues.catalogSync.name, { connection, prefix: hub.config.redisPrefix });
  try {
    const job = await queue.getJob(jobId);
    if (!job) throw new Error(`job ${jobId} not found`);
    return await job.waitUntilFinished(events, 20_000);
  } finally {
    await queue.close();
  }
}

describe('catalog sync admin', () => {
  it('queues a sync, runs it on a worker, and reports progress and last success per supplier', async () => {
    const res = await trigger('brand-lumen');
    expect(res.status).toBe(202);
    const { jobId } = await json(res);
    expect(jobId).toBe('full-brand-lumen');
    await finished(jobId);
    const status = await json(await hub.call('GET', '/admin/catalog/sync', { token: ADMIN_TOKEN }));
    const lumen = status.items.find((s: { supplierId: string }) => s.supplierId === 'brand-lumen');
    expect(lumen.lastRun).toMatchObject({ mode: 'full', status: 'succeeded', seen: 250, errors: 0 });
    expect(lumen.lastSuccessAt).not.toBeNull();
    // The synced items are priced for existing malls and listed to them.
    const mall = await hub.createMall('Priced mall');
    const { jobId: again } = await json(await trigger('brand-lumen'));
    await finished(again);
    const items = await json(await hub.call('GET', '/v1/catalog/items?limit=5', { token: mall.apiKey }));
    expect(items.items.length).toBe(5);
    expect(status.items.find((s: { supplierId: string }) => s.supplierId === 'jd').lastRun).toBeNull();
    const audit = await json(await hub.call('GET', '/admin/audit?resourceId=brand-lumen', { token: ADMIN_TOKEN }));
    expect(audit.items[0].action).toBe('catalog.sync.trigger');
  });

  it('runs the same supplier again once the previous sync finished', async () => {
    const { jobId } = await json(await trigger('brand-lumen'));
    await finished(jobId);
    const rows = await hub.deps.orm.em.fork().getConnection().execute<{ n: string }[]>("select count(*)::text n from catalog_sync_run where supplier_id = 'brand-lumen' and status = 'succeeded'");
    expect(rows[0]?.n).toBe('3');
  });

  it('queues an incremental sync on demand and shows the window it pulled', async () => {
    const res = await trigger('brand-lumen', ADMIN_TOKEN, 'incremental');
    const { jobId, mode } = await json(res);
    expect({ status: res.status, jobId, mode }).toEqual({ status: 202, jobId: 'incremental-brand-lumen', mode: 'incremental' });
    await finished(jobId);
    const status = await json(await hub.call('GET', '/admin/catalog/sync', { token: ADMIN_TOKEN }));
    const lumen = status.items.find((s: { supplierId: string }) => s.supplierId === 'brand-lumen');
    expect(lumen.lastRun).toMatchObject({ mode: 'incremental', status: 'succeeded', errors: 0 });
    expect(Date.parse(lumen.lastRun.since)).toBeLessThan(Date.parse(lumen.lastRun.startedAt));
    expect((await trigger('brand-lumen', ADMIN_TOKEN, 'sometimes' as 'full')).status).toBe(400);
  });

  it('shows a running sync\'s progress (pages, SKUs seen and written, SKU/s) in the status and in /metrics', async () => {
    const taobao = connectors.get('taobao') as SupplierConnector;
    // A worker that dies after its second page leaves the run running with two pages committed.
    let calls = 0;
    const dying = Object.assign(Object.create(taobao) as SupplierConnector, {
      id: taobao.id,
      listCatalog: (q: Parameters<SupplierConnector['listCatalog']>[0]) => (++calls > 2 ? Promise.reject(new Error('worker killed')) : taobao.listCatalog(q)),
    });
    const deps = { em: hub.deps.orm.em.fork(), clock: hub.clock };
    await expect(runFullSync(deps, dying, { pageSize: 100, writeBatch: 100 })).rejects.toThrow('worker killed');
    const status = await json(await hub.call('GET', '/admin/catalog/sync', { token: ADMIN_TOKEN }));
    const entry = status.items.find((s: { supplierId: string }) => s.supplierId === 'taobao');
    const progress = { mode: 'full', status: 'running', pages: 2, seen: 200, written: 200, errors: 1, lastError: 'worker killed', finishedAt: null };
    expect(entry.lastRun).toMatchObject(progress);
    expect(entry.running).toEqual([entry.lastRun]);
    expect(Number.isInteger(entry.lastRun.skusPerSecond)).toBe(true);
    expect(Date.parse(entry.lastRun.heartbeatAt)).toBeGreaterThanOrEqual(Date.parse(entry.lastRun.startedAt));
    const metrics = await (await hub.call('GET', '/metrics')).text();
    const labels = `supplier="taobao",mode="full",run="${entry.lastRun.runId}"`;
    expect(metrics).toContain(`hub_catalog_sync_running_pages{${labels}} 2`);
    expect(metrics).toContain(`hub_catalog_sync_running_seen_skus{${labels}} 200`);
    expect(metrics).toContain(`hub_catalog_sync_running_written_offers{${labels}} 200`);
    expect(metrics).toMatch(new RegExp(`hub_catalog_sync_running_skus_per_second\\{${labels}\\} \\d+`));
    // Resumed to the end: it leaves the running list and the gauges; a second full run finds nothing to write.
    expect(await runFullSync(deps, taobao)).toMatchObject({ resumed: true, status: 'succeeded', seen: 250, written: 250 });
    expect(await runFullSync(deps, taobao)).toMatchObject({ resumed: false, status: 'succeeded', seen: 250, written: 0 });
    const done = (await json(await hub.call('GET', '/admin/catalog/sync', { token: ADMIN_TOKEN }))).items.find((s: { supplierId: string }) => s.supplierId === 'taobao');
    expect(done.running).toEqual([]);
    expect(done.lastRun).toMatchObject({ status: 'succeeded', seen: 250, written: 0 });
    expect(await (await hub.call('GET', '/metrics')).text()).not.toContain('supplier="taobao"');
  });

  it('answers 404 for an unknown supplier and 403 for an agent', async () => {
    expect((await trigger('nope')).status).toBe(404);
    const agent = await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: 'a' } }));
    expect((await trigger('jd', agent.token)).status).toBe(403);
    expect((await hub.call('GET', '/admin/catalog/sync', { token: agent.token })).status).toBe(200);
  });
});

describe('catalog change feed', () => {
  it('lists what a sync changed from a cursor, and tells malls with a catalog.changed event', async () => {
    const mall = await hub.createMall('Feed mall');
    const { jobId } = await json(await trigger('brand-acme'));
    await finished(jobId);
    const events = await json(await hub.call('GET', '/v1/events?type=catalog.changed', { token: mall.apiKey }));
    expect(events.items.length).toBe(1);
    const cursor: string = events.items[0].data.cursor;
    const page = await json(await hub.call('GET', `/v1/catalog/changes?cursor=${cursor}&limit=200`, { token: mall.apiKey }));
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((c: { change: string }) => ['price', 'stock', 'listing'].includes(c.change))).toBe(true);
    const listed = page.items.find((c: { change: string; sellable: boolean }) => c.change === 'listing' && c.sellable);
    expect(listed.points).toBeGreaterThan(0);
    // Reading on from the returned cursor continues exactly where the page ended.
    const read = async (c: string, limit: number) => json(await hub.call('GET', `/v1/catalog/changes?cursor=${c}&limit=${limit}`, { token: mall.apiKey }));
    const first = await read(cursor, 5);
    const second = await read(first.nextCursor, 5);
    const both = await read(cursor, 10);
    expect(page.items.length).toBeGreaterThanOrEqual(10);
    expect([...first.items, ...second.items]).toEqual(both.items);
    // A sync that changes nothing sends no new event.
    const { jobId: again } = await json(await trigger('brand-acme'));
    await finished(again);
    expect((await json(await hub.call('GET', '/v1/events?type=catalog.changed', { token: mall.apiKey }))).items.length).toBe(1);
    // A cursor the hub did not make: malformed, or past every change ever made (it would poll for ever).
    for (const bad of ['x1', 'c', '', 'c-1', `c${BigInt(cursor.slice(1)) + 1_000_000n}`, 'c999999999999999999']) {
      const res = await hub.call('GET', `/v1/catalog/changes?cursor=${bad}`, { token: mall.apiKey });
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(await json(res)).toMatchObject({ error: { code: 'validation_failed', details: { fields: [{ path: 'query.cursor', code: 'invalid_cursor' }] } } });
    }
    // The newest cursor the hub made is fine, with nothing after it yet.
    const last = await read(cursor, 200);
    let newest = last.nextCursor;
    for (let p = last; p.items.length; p = await read(newest, 200)) newest = p.nextCursor;
    expect(await read(newest, 10)).toEqual({ items: [], nextCursor: newest });
  });

  it('prunes changes older than the retention', async () => {
    const { processMaintenance } = await import('../../src/queues/processors/maintenance.processor.ts');
    const before = await hub.deps.orm.em.fork().getConnection().execute<{ n: string }[]>('select count(*)::text n from catalog_change');
    expect(Number(before[0]?.n)).toBeGreaterThan(0);
    const later = { now: () => new Date(Date.now() + 31 * 86_400_000) };
    const out = await processMaintenance({ task: 'prune-catalog-changes' }, { em: hub.deps.orm.em.fork(), clock: later });
    expect(out.affected).toBe(Number(before[0]?.n));
  });
});
