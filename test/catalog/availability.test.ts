import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle, type Sandbox } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { MallSchema } from '../../src/persistence/entities/mall.ts';
import { repriceMall } from '../../src/catalog/mall-pricing.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let sandboxes: Sandbox[];
let mall: { mallId: string; apiKey: string };
let item: { skuId: string; sources: { supplier: string; sku: string }[] };
const beijing = { province: '北京', city: '北京市', district: '朝阳区' };

beforeAll(async () => {
  const clock = new SandboxClock();
  sandboxes = createSandboxes({ clock, seed: 13, skus: 300, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers);
  server = await serveOnLoopback(createSandboxHost(sandboxes, clock));
  hub = await startTestHub({ env: { HUB_SANDBOX_URL: server.url, HUB_AVAILABILITY_CACHE_MS: '0' } });
  for (const id of ['jd', 'taobao', 'brand-acme', 'brand-lumen']) {
    await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, hub.deps.connectors.get(id) as SupplierConnector, { pageSize: 100 });
  }
  mall = await hub.createMall('Availability mall');
  for (const m of await hub.deps.orm.em.fork().find(MallSchema, {})) await repriceMall(hub.deps.orm.em.fork(), m.id);
  // A physical item sold by two or more sources, each in stock in Beijing.
  const rows = await hub.deps.orm.em.fork().getConnection().execute<{ sku_id: string; sources: { supplier: string; sku: string }[] }[]>(
    `select ci.sku_id, json_agg(json_build_object('supplier', o.supplier_id, 'sku', o.supplier_sku_id) order by o.cost_fen) sources
     from catalog_item ci join catalog_offer o on o.item_id = ci.id
     where ci.kind = 'physical' and o.on_shelf and o.stock > 20 group by ci.id having count(*) >= 2 limit 1`,
  );
  item = { skuId: rows[0]?.sku_id ?? '', sources: rows[0]?.sources ?? [] };
});
afterAll(async () => {
  await hub?.close();
  await server?.close();
});

const sandbox = (id: string) => sandboxes.find((s) => s.id === id) as Sandbox;
const check = async (body: unknown) => hub.call('POST', '/v1/catalog/availability', { token: mall.apiKey, body });

describe('POST /v1/catalog/availability', () => {
  it('answers live availability and the mall’s points from the cheapest source', async () => {
    const res = await check({ items: [{ skuId: item.skuId, quantity: 1 }], region: beijing });
    expect(res.status).toBe(200);
    const [a] = (await json(res)).items;
    expect(a).toMatchObject({ skuId: item.skuId, available: true, source: item.sources[0]?.supplier });
    expect(a.points).toBeGreaterThan(0);
  });

  it('falls back to the next source when the cheapest is out of stock, and says no when all are', async () => {
    const [first, second] = item.sources;
    sandbox(first?.supplier ?? '').faults.set({ stockoutSkus: [first?.sku ?? ''] });
    const [a] = (await json(await check({ items: [{ skuId: item.skuId, quantity: 1 }], region: beijing }))).items;
    expect(a).toMatchObject({ available: true, source: second?.supplier });
    for (const s of item.sources) sandbox(s.supplier).faults.set({ stockoutSkus: [s.sku] });
    const [b] = (await json(await check({ items: [{ skuId: item.skuId, quantity: 1 }], region: beijing }))).items;
    expect(b).toMatchObject({ available: false, reason: 'no_source_available' });
    for (const s of item.sources) sandbox(s.supplier).faults.reset();
  });

  it('skips a source that is down', async () => {
    const [first, second] = item.sources;
    sandbox(first?.supplier ?? '').faults.set({ errorRate: 1 });
    const [a] = (await json(await check({ items: [{ skuId: item.skuId, quantity: 1 }], region: beijing }))).items;
    expect(a).toMatchObject({ available: true, source: second?.supplier });
    sandbox(first?.supplier ?? '').faults.reset();
  });

  it('reports an unknown SKU as unavailable with no price, answers the other items of the request, and rejects a malformed body', async () => {
    const res = await check({ items: [{ skuId: 'sku_nope', quantity: 1 }, { skuId: item.skuId, quantity: 1 }], region: beijing });
    expect(res.status).toBe(200);
    const [a, b] = (await json(res)).items;
    // No price of 0 for something the mall does not sell: no price at all.
    expect(a).toEqual({ skuId: 'sku_nope', available: false, reason: 'unknown_sku' });
    expect(b).toMatchObject({ skuId: item.skuId, available: true, points: expect.any(Number) });
    const bad = await check({ items: [], region: { province: '北京' } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('validation_failed');
  });
});
