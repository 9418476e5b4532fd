import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { DEFERRED_INDEXES } from '../../src/catalog/first-load-store.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import type { SyncOutcome } from '../../src/catalog/paged-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { processCatalogSync } from '../../src/queues/processors/catalog-sync.processor.ts';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

// Issue 21, a first sync near COPY speed: the full runs that fill an empty catalog write it as one
// first load (src/catalog/first-load.ts). Items stay unpublished while the runs write, and the
// search indexes are left out; publishing computes, prices and lists every item once and builds
// the indexes. Against the sandbox suppliers, 300 SKUs each, one page per transaction.

const SKUS = 300;
let server: { url: string; close: () => Promise<void> };
let connectors: Map<string, SupplierConnector>;
let hub: TestHub;

beforeAll(async () => {
  const clock = new SandboxClock();
  server = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: 33, skus: SKUS, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers), clock));
  connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers, () => clock.now());
});
afterAll(async () => {
  await server?.close();
});
afterEach(async () => {
  await hub?.close();
});

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
// Publishing 7 items per transaction: many rounds, so the cursor that carries it from one to the next is exercised.
const sync = (c: SupplierConnector, opts: { firstLoad?: boolean } = {}) =>
  runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock, publishBatch: 7, ...opts }, c, { pageSize: 100, writeBatch: 100 });
const get = (id: string) => connectors.get(id) as SupplierConnector;

/** A connector whose catalog calls after the first `open` wait for `release()` (or fail with `fail()`). */
function gated(inner: SupplierConnector, open: number) {
  let calls = 0;
  let release!: () => void;
  let fail!: (err: Error) => void;
  const gate = new Promise<void>((res, rej) => { release = res; fail = rej; });
  gate.catch(() => undefined);
  const connector = Object.assign(Object.create(inner) as SupplierConnector, {
    id: inner.id,
    listCatalog: async (q: Parameters<SupplierConnector['listCatalog']>[0]) => {
      if (++calls > open) await gate;
      return inner.listCatalog(q);
    },
  });
  return { connector, release: () => release(), fail: (err: Error) => fail(err) };
}

/** A connector whose catalog call fails after `okCalls` pages (a supplier going down mid-sync). */
function crashingAfter(inner: SupplierConnector, okCalls: number): SupplierConnector {
  let calls = 0;
  return Object.assign(Object.create(inner) as SupplierConnector, {
    id: inner.id,
    listCatalog: (q: Parameters<SupplierConnector['listCatalog']>[0]) => (++calls > okCalls ? Promise.reject(new Error('supplier down')) : inner.listCatalog(q)),
  });
}

async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pagesOf = async (supplierId: string) => Number((await sql<{ pages: number }[]>("select coalesce(max(pages), 0) as pages from catalog_sync_run where supplier_id = ? and mode = 'full'", [supplierId]))[0]?.pages);
const loads = () => sql<{ id: string; status: string }[]>('select id::text, status from catalog_load order by id');
const ginIndexes = async () => (await sql<{ indexname: string }[]>("select indexname from pg_indexes where tablename = 'catalog_item' and indexdef ilike '% using gin %' order by indexname")).map((r) => r.indexname);

/** Items whose best cost, stock or sellability differ from what their live offers give (brute force). */
const itemsOffTheirOffers = async () => (await sql<{ n: number }[]>(
  `select count(*)::int n from catalog_item ci join lateral (
     select min(cost_fen) filter (where on_shelf and removed_at is null and coalesce(stock, 1) > 0) best,
            sum(stock) filter (where on_shelf and removed_at is null) units
     from catalog_offer o where o.item_id = ci.id) a on true
   where (ci.best_cost_fen, ci.stock_units, ci.sellable) is distinct from (a.best, a.units, a.best is not null)`))[0]?.n;

/** A fresh hub with one mall, and a first sync of one supplier that has written its first page and waits for the gate. */
async function loadingOnePage(supplierId: string) {
  hub = await startTestHub();
  const { mallId } = await hub.createMall(`${supplierId} first load mall`);
  const gate = gated(get(supplierId), 1);
  const run = sync(gate.connector);
  await until(`${supplierId}’s first page`, async () => (await pagesOf(supplierId)) >= 1);
  return { mallId, gate, run };
}

describe('a catalog first load', () => {
  it('keeps its items from malls while its runs write, then computes, prices and lists each once and builds the search indexes', async () => {
    const { mallId, gate: jd, run: jdRun } = await loadingOnePage('jd');

    // Loading: the items are there, unpublished; no price, no change-feed row, no search index.
    expect(await loads()).toEqual([{ id: '1', status: 'loading' }]);
    const [unpublished] = await sql<{ items: number; sellable: number; best: number; prices: number; changes: number }[]>(
      `select count(*)::int items, count(*) filter (where sellable)::int sellable, count(best_cost_fen)::int best,
              (select count(*)::int from mall_item) prices, (select count(*)::int from catalog_change) changes from catalog_item`);
    expect(unpublished?.items).toBeGreaterThan(0);
    expect(unpublished).toMatchObject({ sellable: 0, best: 0, prices: 0, changes: 0 });
    expect(await ginIndexes()).toEqual([]);
    // Staff see the load beside the runs.
    const status = async () => json<{ firstLoad: Record<string, unknown> | null }>(await hub.call('GET', '/admin/catalog/sync', { token: ADMIN_TOKEN }));
    expect((await status()).firstLoad).toMatchObject({ loadId: '1', status: 'loading', publishingAt: null, items: unpublished?.items, computed: 0, priced: 0 });

    // A second supplier's first sync joins the load; its end publishes nothing while JD still writes.
    const acme = await sync(get('brand-acme'));
    expect(acme).toMatchObject({ status: 'succeeded', seen: SKUS, firstLoad: { id: 1, published: false } });
    expect((await loads())[0]?.status).toBe('loading');
    expect(await sql("select count(*)::int n from catalog_item where sellable")).toEqual([{ n: 0 }]);

    jd.release();
    const out: SyncOutcome = await jdRun;
    expect(out).toMatchObject({ status: 'succeeded', seen: SKUS, firstLoad: { id: 1, published: true } });
    expect(await loads()).toEqual([{ id: '1', status: 'done' }]);
    expect((await status()).firstLoad).toBeNull();
    expect(await ginIndexes()).toEqual(DEFERRED_INDEXES.map((i) => i.name).sort());
    expect(await itemsOffTheirOffers()).toBe(0);
    // Every item priced for the mall; one listing in the change feed for each sellable item, and nothing else.
    const [published] = await sql<{ items: number; sellable: number; priced: number; sold: number; listings: number; changes: number }[]>(
      `select count(*)::int items, count(*) filter (where sellable)::int sellable,
              (select count(*)::int from mall_item where mall_id = ?) priced, (select count(*)::int from mall_item where mall_id = ? and sellable) sold,
              (select count(distinct item_id)::int from catalog_change where change = 'listing') listings, (select count(*)::int from catalog_change) changes
       from catalog_item`, [mallId, mallId]);
    expect(published?.items).toBeGreaterThan(SKUS);
    expect(published?.sellable).toBeGreaterThan(0);
    expect(published).toMatchObject({ priced: published?.items, sold: published?.sellable, listings: published?.sellable, changes: published?.sellable });

    // A later first sync of another supplier finds a catalog with items: it writes as usual, published page by page.
    const lumen = await sync(get('brand-lumen'));
    expect(lumen.firstLoad).toBeUndefined();
    expect(await loads()).toHaveLength(1);
    expect(await itemsOffTheirOffers()).toBe(0);
    expect(await sql('select count(*)::int n from catalog_item ci where not exists (select 1 from mall_item mi where mi.item_id = ci.id)')).toEqual([{ n: 0 }]);
  });

  it('publishes when the other runs end while one supplier is down; that run writes as usual when it comes back', async () => {
    const { mallId, gate: acme, run: acmeRun } = await loadingOnePage('brand-acme');
    // Taobao joins the load, writes two pages and goes down: its lease is let go, so it holds nothing back.
    await expect(sync(crashingAfter(get('taobao'), 2))).rejects.toThrow('supplier down');
    expect((await loads())[0]?.status).toBe('loading');
    acme.release();
    expect(await acmeRun).toMatchObject({ status: 'succeeded', firstLoad: { id: 1, published: true } });
    expect(await loads()).toEqual([{ id: '1', status: 'done' }]);
    // Taobao's two pages were published with the rest.
    const [taobao] = await sql<{ offers: number; items: number; priced: number }[]>(
      `select count(*)::int offers, count(distinct o.item_id)::int items, count(distinct mi.item_id)::int priced
       from catalog_offer o left join mall_item mi on mi.item_id = o.item_id and mi.mall_id = ? where o.supplier_id = 'taobao'`, [mallId]);
    expect(taobao?.offers).toBe(200);
    expect(taobao?.priced).toBe(taobao?.items);

    // Back up: the run resumes from its checkpoint and writes its pages as usual.
    const resumed = await sync(get('taobao'));
    expect(resumed).toMatchObject({ resumed: true, status: 'succeeded', seen: SKUS, firstLoad: { id: 1, published: false } });
    expect(await itemsOffTheirOffers()).toBe(0);
    expect(await sql('select count(*)::int n from catalog_item ci where not exists (select 1 from mall_item mi where mi.item_id = ci.id and mi.mall_id = ?)', [mallId])).toEqual([{ n: 0 }]);
    expect(await loads()).toHaveLength(1);
  });

  it('is published by the maintenance task when the worker of its last run died (its lease ran out)', async () => {
    hub = await startTestHub();
    const jd = gated(get('jd'), 1);
    const jdRun = sync(jd.connector);
    await until('JD’s first page', async () => (await pagesOf('jd')) >= 1);
    const maintain = () => processMaintenance({ task: 'publish-catalog-load' }, { em: hub.deps.orm.em.fork(), clock: hub.clock });
    // Its worker is alive: nothing to do.
    expect(await maintain()).toEqual({ affected: 0 });
    // As if that worker died: its lease runs out.
    hub.clock.advance(3 * 60_000);
    await sql('update catalog_sync_run set lease_until = ?', [new Date(hub.clock.now().getTime() - 1_000)]);
    expect(await maintain()).toEqual({ affected: 1 });
    expect(await loads()).toEqual([{ id: '1', status: 'done' }]);
    expect(await ginIndexes()).toHaveLength(DEFERRED_INDEXES.length);
    expect(await sql('select count(*)::int n from catalog_item where sellable')).not.toEqual([{ n: 0 }]);
    // The pages it still writes (here: the process was not dead after all) are written as usual.
    jd.release();
    await jdRun;
    expect(await itemsOffTheirOffers()).toBe(0);
    expect(await sql("select count(*)::int n from catalog_item where best_cost_fen is null and sellable")).toEqual([{ n: 0 }]);
  });

  it('tells malls of what it published when the run that publishes it failed partway', async () => {
    const { mallId, gate: jd, run: jdRun } = await loadingOnePage('jd');
    // Taobao joins the load, commits two pages and goes down; JD's worker then dies (its lease runs out).
    await expect(sync(crashingAfter(get('taobao'), 2))).rejects.toThrow('supplier down');
    hub.clock.advance(3 * 60_000);
    await sql("update catalog_sync_run set lease_until = ? where supplier_id = 'jd'", [new Date(hub.clock.now().getTime() - 1_000)]);
    // Taobao's job is retried and fails again at once: with no run of the load under way, its
    // failure publishes the load, and the job, failing, still tells the mall where to read from.
    const job = { supplierId: 'taobao', mode: 'full' as const };
    await expect(processCatalogSync(job, { em: hub.deps.orm.em.fork(), clock: hub.clock, connectors: new Map([['taobao', crashingAfter(get('taobao'), 0)]]), overlapMs: 0, leaseMs: 60_000 }))
      .rejects.toThrow('supplier down');
    expect(await loads()).toEqual([{ id: '1', status: 'done' }]);
    const [event] = await sql<{ data: { cursor: string } }[]>("select data from mall_event where mall_id = ? and type = 'catalog.changed'", [mallId]);
    const [{ after } = { after: 0 }] = await sql<{ after: number }[]>("select count(*)::int after from catalog_change where id > ?", [Number(event?.data.cursor.slice(1))]);
    expect(after).toBeGreaterThan(0);
    expect(await sql("select count(*)::int n from catalog_change")).toEqual([{ n: after }]);
    jd.release();
    await jdRun;
  });

  it('is not used when switched off: the first sync publishes page by page', async () => {
    hub = await startTestHub();
    const out = await sync(get('jd'), { firstLoad: false });
    expect(out.firstLoad).toBeUndefined();
    expect(await loads()).toEqual([]);
    expect(await ginIndexes()).toHaveLength(DEFERRED_INDEXES.length);
    expect(await itemsOffTheirOffers()).toBe(0);
  });

  it('names the search indexes exactly as the migrations create them', async () => {
    hub = await startTestHub();
    const defs = await sql<{ indexname: string; indexdef: string }[]>("select indexname, indexdef from pg_indexes where tablename = 'catalog_item' and indexdef ilike '% using gin %' order by indexname");
    expect(defs).toEqual(DEFERRED_INDEXES.map((i) => ({ indexname: i.name, indexdef: `CREATE INDEX ${i.name} ON public.catalog_item ${i.definition.replace('using gin', 'USING gin')}` }))
      .sort((a, b) => a.indexname.localeCompare(b.indexname)));
  });
});
