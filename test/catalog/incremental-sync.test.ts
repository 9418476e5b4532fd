import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollInbound, SupplierConnector, SupplierSku } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { runIncrementalSync } from '../../src/catalog/incremental-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { defaultPricingRule, priceItem } from '../../src/domain/pricing.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const SKUS = 400;
let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let sandboxClock: SandboxClock;
let connectors: Map<string, SupplierConnector>;

beforeAll(async () => {
  hub = await startTestHub();
  sandboxClock = new SandboxClock();
  server = await serveOnLoopback(
    createSandboxHost(createSandboxes({ clock: sandboxClock, seed: 21, skus: SKUS, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers), sandboxClock),
  );
  // The connectors sign with the wall clock (the default), as suppliers check: the sandbox clock moves only business time.
  connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers);
  // A mall that exists before the first sync: it is priced page by page as the catalog arrives.
  await hub.createMall('Incremental mall');
});
afterAll(async () => {
  await server?.close();
  await hub?.close();
});

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const get = (id: string) => connectors.get(id) as SupplierConnector;
// The hub's clock follows the suppliers' (NTP in production): modified-since windows line up.
const deps = () => {
  hub.clock.set(sandboxClock.now());
  return { em: hub.deps.orm.em.fork(), clock: hub.clock };
};
const post = async (path: string, body: unknown = {}) => {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.ok).toBe(true);
  return res.json() as Promise<Record<string, number>>;
};

/** The supplier's whole listing as it is now, read page by page through the connector. */
async function listing(c: SupplierConnector): Promise<Map<string, SupplierSku>> {
  const out = new Map<string, SupplierSku>();
  let cursor: string | null = null;
  do {
    const page = await c.listCatalog({ cursor, limit: 100 });
    for (const s of page.items) out.set(s.supplierSkuId, s);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** The hub's offers of a supplier, as stored. */
async function offers(supplierId: string) {
  const rows = await sql<{ supplier_sku_id: string; cost_fen: number; on_shelf: boolean; stock: number | null; removed_at: Date | null }[]>(
    'select supplier_sku_id, cost_fen, on_shelf, stock, removed_at from catalog_offer where supplier_id = ?',
    [supplierId],
  );
  return new Map(rows.map((r) => [r.supplier_sku_id, r]));
}

/** Every offer equals what the supplier lists now (stock too, unless the supplier reports no stock changes). */
async function expectCatalogMatches(c: SupplierConnector, opts: { stock: boolean }) {
  const [want, have] = [await listing(c), await offers(c.id)];
  expect(have.size).toBe(want.size);
  const wrong: string[] = [];
  for (const [id, s] of want) {
    const o = have.get(id);
    if (!o || o.cost_fen !== s.costFen || o.on_shelf !== s.onShelf || o.removed_at !== null || (opts.stock && o.stock !== s.stock)) wrong.push(id);
  }
  expect(wrong).toEqual([]);
}

describe('incremental catalog sync', () => {
  it('brings Taobao up to date with start_modified, reading only what changed', async () => {
    const taobao = get('taobao');
    await runFullSync(deps(), taobao, { pageSize: 100 });
    await sandboxClock.advance(60_000);
    await post('/taobao/sandbox/catalog/revise');
    await sandboxClock.advance(60_000);
    const out = await runIncrementalSync(deps(), taobao, { overlapMs: 1_000 });
    expect(out).toMatchObject({ mode: 'incremental', status: 'succeeded' });
    expect(out.seen).toBeGreaterThan(0);
    expect(out.seen).toBeLessThan(SKUS / 2);
    await expectCatalogMatches(taobao, { stock: true });
  });

  it('brings a brand supplier up to date with updatedSince after its nightly revision', async () => {
    const acme = get('brand-acme');
    await runFullSync(deps(), acme, { pageSize: 100 });
    await sandboxClock.advance(24 * 3600_000 + 60_000);
    const out = await runIncrementalSync(deps(), acme, { overlapMs: 1_000 });
    expect(out.mode).toBe('incremental');
    expect(out.seen).toBeGreaterThan(0);
    expect(out.seen).toBeLessThan(SKUS / 2);
    await expectCatalogMatches(acme, { stock: true });
  });

  it("applies JD's price and shelf messages, then deletes them from the pool", async () => {
    const jd = get('jd');
    await runFullSync(deps(), jd, { pageSize: 100 });
    const revised = await post('/jd/sandbox/catalog/revise');
    expect(revised.messages).toBeGreaterThan(0);
    const out = await runIncrementalSync(deps(), jd, { overlapMs: 1_000 });
    expect(out).toMatchObject({ mode: 'incremental', status: 'succeeded', messages: revised.messages });
    // JD publishes no stock messages (stock is asked live per region), so stock is not compared.
    await expectCatalogMatches(jd, { stock: false });
    expect(await (jd.inbound as PollInbound).fetch((jd.inbound as PollInbound).catalogTypes)).toEqual([]);
    const stored = await sql<{ n: string }[]>("select count(*)::text n from inbound_event where supplier = 'jd'");
    expect(Number(stored[0]?.n)).toBe(revised.messages);
  });

  it('stops selling a SKU JD removed from our pool, the latest message winning', async () => {
    const jd = get('jd');
    const [victim] = [...(await offers('jd')).keys()];
    await post('/jd/sandbox/messages', { type: 6, result: { skuId: Number(victim), state: 2 } });
    await runIncrementalSync(deps(), jd, { overlapMs: 1_000 });
    expect((await offers('jd')).get(victim ?? '')?.removed_at).not.toBeNull();
  });

  it('re-reads the whole top-up list, which has no change times', async () => {
    const fulu = get('topup-fulu');
    const first = await runIncrementalSync(deps(), fulu, { overlapMs: 1_000 });
    expect(first.mode).toBe('full');
    const again = await runIncrementalSync(deps(), fulu, { overlapMs: 1_000 });
    expect(again).toMatchObject({ mode: 'full', status: 'succeeded', removed: 0 });
    await expectCatalogMatches(fulu, { stock: true });
  });

  it('leaves nothing for a full sync to correct, and every mall price follows the best cost', async () => {
    const before = await sql<{ n: string }[]>("select count(*)::text n from catalog_change where change in ('price', 'listing')");
    for (const id of ['taobao', 'brand-acme']) await runFullSync(deps(), get(id), { pageSize: 100 });
    const after = await sql<{ n: string }[]>("select count(*)::text n from catalog_change where change in ('price', 'listing')");
    expect(after[0]?.n).toBe(before[0]?.n);
    const items = await sql<{ best: number | null; points: number; sellable: boolean; item_sellable: boolean }[]>(
      'select ci.best_cost_fen best, mi.points, mi.sellable, ci.sellable item_sellable from catalog_item ci join mall_item mi on mi.item_id = ci.id',
    );
    expect(items.length).toBe(Number((await sql<{ n: string }[]>('select count(*)::text n from catalog_item'))[0]?.n));
    for (const i of items) {
      expect(i.sellable).toBe(i.item_sellable);
      if (i.best !== null) expect(i.points).toBe(priceItem(i.best, defaultPricingRule(100)).points);
    }
  });

  it('lets one worker hold a run: a second caller backs off while the lease is fresh', async () => {
    const taobao = get('taobao');
    const slow: SupplierConnector = Object.assign(Object.create(taobao) as SupplierConnector, {
      id: taobao.id,
      listCatalog: async (q: Parameters<SupplierConnector['listCatalog']>[0]) => {
        await new Promise((r) => setTimeout(r, 200));
        return taobao.listCatalog(q);
      },
    });
    const [a, b] = await Promise.all([runFullSync(deps(), slow, { pageSize: 100 }), new Promise((r) => setTimeout(r, 50)).then(() => runFullSync(deps(), taobao))]);
    expect(a.status).toBe('succeeded');
    expect(b).toMatchObject({ status: 'skipped', runId: a.runId });
  });
});
