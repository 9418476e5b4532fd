import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { defaultPricingRule, priceItem } from '../../src/domain/pricing.ts';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { processMallPricing } from '../../src/queues/processors/mall-pricing.processor.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let a: { mallId: string; apiKey: string };
let b: { mallId: string; apiKey: string };

beforeAll(async () => {
  hub = await startTestHub();
  const clock = new SandboxClock();
  server = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: 31, skus: 300, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers), clock));
  const connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers, () => clock.now());
  for (const id of ['jd', 'brand-lumen', 'topup-fulu']) await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, connectors.get(id) as SupplierConnector, { pageSize: 100 });
  a = await hub.createMall('Selective mall');
  b = await hub.createMall('Everything mall');
  for (const m of [a, b]) await reprice(m.mallId);
});
afterAll(async () => {
  await server?.close();
  await hub?.close();
});

/** What the worker does with the job the API enqueued. */
const reprice = (mallId: string) => processMallPricing({ mallId }, { em: hub.deps.orm.em.fork() });
const all = async (key: string, query = '') => {
  const items: Record<string, any>[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Record<string, any>[]; nextCursor: string | null } = await json(await hub.call('GET', `/v1/catalog/items?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`, { token: key }));
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
};
const patchOwn = (key: string, body: unknown) => hub.call('PATCH', '/v1/mall', { token: key, body });

describe('mall catalog selection and pricing overrides', () => {
  it('prices a new mall as soon as a worker takes the job its creation enqueued', async () => {
    const c = await hub.createMall('Fresh mall');
    expect((await json(await hub.call('GET', '/v1/mall', { token: c.apiKey }))).pricingStatus).toMatchObject({ state: 'repricing' });
    expect(await all(c.apiKey)).toEqual([]);
    await reprice(c.mallId);
    expect((await json(await hub.call('GET', '/v1/mall', { token: c.apiKey }))).pricingStatus).toMatchObject({ state: 'current' });
    expect((await all(c.apiKey)).length).toBe((await all(b.apiKey)).length);
  });

  it('shows a mall only its selection: kinds, brands, points range and excluded SKUs', async () => {
    const everything = await all(b.apiKey);
    const physical = everything.filter((i) => i.kind === 'physical');
    const brand = physical.find((i) => i.brand)?.brand as string;
    const excluded = physical.find((i) => i.brand === brand)?.skuId as string;
    const res = await patchOwn(a.apiKey, { catalogSelection: { kinds: ['physical'], brands: [brand], pointsMax: 500_000, excludedSkuIds: [excluded] } });
    expect(res.status).toBe(200);
    expect((await json(res)).pricingStatus.state).toBe('repricing');
    await reprice(a.mallId);
    const seen = await all(a.apiKey);
    const expected = physical.filter((i) => i.brand === brand && i.points <= 500_000 && i.skuId !== excluded).map((i) => i.skuId);
    expect(seen.map((i) => i.skuId).sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(0);
    // The excluded SKU is not for sale to this mall, and the other mall still sees everything.
    expect(await json(await hub.call('GET', `/v1/catalog/items/${excluded}`, { token: a.apiKey }))).toMatchObject({ sellable: false });
    expect((await all(b.apiKey)).length).toBe(everything.length);
    // Support sees why, mall by mall.
    const explained = await json(await hub.call('GET', `/admin/catalog/items/${excluded}`, { token: ADMIN_TOKEN }));
    expect(explained.malls.find((m: { mallId: string }) => m.mallId === a.mallId)).toMatchObject({ sellable: false, reason: 'excluded by the mall' });
    expect(explained.malls.find((m: { mallId: string }) => m.mallId === b.mallId)).toMatchObject({ sellable: true });
  });

  it('sells only the selected categories, at any level, and refuses an unknown category', async () => {
    await patchOwn(a.apiKey, { catalogSelection: { categories: ['large-appliance', 'phone-topup'] } });
    await reprice(a.mallId);
    const seen = await all(a.apiKey);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((i) => i.categoryPath[1] === '大家电' || i.categoryPath[2] === '话费充值')).toBe(true);
    const res = await patchOwn(a.apiKey, { catalogSelection: { categories: ['pet-food'] } });
    expect(res.status).toBe(400);
    expect((await json(res)).error.details.fields[0]).toMatchObject({ code: 'unknown_category' });
  });

  it('prices with the mall’s own overrides, splitting points and cash, while other malls keep theirs', async () => {
    await patchOwn(a.apiKey, { catalogSelection: {}, pricing: { markupBp: 3_000, step: 50, cashShareBp: 2_000 } });
    await reprice(a.mallId);
    const rule = { ...defaultPricingRule(100), markupBp: 3_000, step: 50, cashShareBp: 2_000 };
    const costs = new Map(
      (await hub.deps.orm.em.fork().getConnection().execute<{ sku_id: string; c: number }[]>('select sku_id, best_cost_fen c from catalog_item where sellable')).map((r) => [r.sku_id, r.c]),
    );
    const mine = await all(a.apiKey);
    expect(mine.length).toBe(costs.size);
    for (const item of mine) expect({ points: item.points, cashFen: item.cashFen }).toEqual(priceItem(costs.get(item.skuId) as number, rule));
    expect(mine.some((i) => i.cashFen > 0)).toBe(true);
    for (const item of (await all(b.apiKey)).slice(0, 50)) expect(item).toMatchObject({ points: priceItem(costs.get(item.skuId) as number, defaultPricingRule(100)).points, cashFen: 0 });
    // The rule in force is on the mall, and so is the audit trail of who changed it.
    expect((await json(await hub.call('GET', '/v1/mall', { token: a.apiKey }))).pricing).toMatchObject({ markupBp: 3_000, step: 50, floorFromPoints: 2_000, cashShareBp: 2_000 });
  });

  it('refuses a bad rule or selection with a 400 and changes nothing', async () => {
    const before = await json(await hub.call('GET', '/v1/mall', { token: a.apiKey }));
    for (const body of [{ pricing: { step: 0 } }, { pricing: { markupBp: 1.5 } }, { catalogSelection: { pointsMin: 10, pointsMax: 5 } }, { catalogSelection: { kinds: ['food'] } }, { pricing: { surprise: 1 } }]) {
      const res = await patchOwn(a.apiKey, body);
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe('validation_failed');
    }
    expect(await json(await hub.call('GET', '/v1/mall', { token: a.apiKey }))).toEqual(before);
  });

  it('re-enqueues a reprice that Redis lost: the reconciler finds malls whose prices lag', async () => {
    await hub.deps.orm.em.fork().getConnection().execute('update mall set pricing_version = pricing_version + 1 where id = ?', [a.mallId]);
    const queued: string[] = [];
    const out = await processMaintenance({ task: 'reprice-lagging-malls' }, { em: hub.deps.orm.em.fork(), clock: hub.clock, enqueueReprice: async (id) => queued.push(id) });
    expect(out.affected).toBe(1);
    expect(queued).toEqual([a.mallId]);
  });
});
