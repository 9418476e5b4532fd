import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Region } from '../../../connectors/connector.ts';
import { isSupplierError } from '../../../connectors/errors.ts';
import { splitPlan } from '../../../connectors/sandbox/jd/lifecycle.ts';
import { beijingOrder, jdSkusWhere, startJd, wellStockedSkus } from './conformance-target.ts';

const SEED = 11;
const SIZE = 600;
const lifecycle = { shipAfterMs: 3600_000, transitAfterMs: 2 * 3600_000, deliverAfterMs: 24 * 3600_000, topupResultAfterMs: 1_000 };
const beijing: Region = { province: '北京', city: '北京市', district: '朝阳区' };
const urumqi: Region = { province: '新疆', city: '乌鲁木齐', district: '天山区' };
let jd: Awaited<ReturnType<typeof startJd>>;
let n = 0;
const ref = () => `JD-S-${Date.now().toString(36)}-${++n}`;
const skus = wellStockedSkus(SEED, SIZE, 3);
const [evenSku = '', oddSku = ''] = [
  ...jdSkusWhere(SEED, SIZE, 1, (s, stock) => s.onShelf && s.kind === 'physical' && stock >= 100 && Number(s.supplierSkuId) % 2 === 0),
  ...jdSkusWhere(SEED, SIZE, 1, (s, stock) => s.onShelf && s.kind === 'physical' && stock >= 100 && Number(s.supplierSkuId) % 2 === 1),
];
const [heavySku = ''] = jdSkusWhere(SEED, SIZE, 1, (s) => s.onShelf && s.weightGrams > 20_000);
const [offShelfSku = ''] = jdSkusWhere(SEED, SIZE, 1, (s) => !s.onShelf);

beforeAll(async () => {
  jd = await startJd({ seed: SEED, skus: SIZE, lifecycle });
});
afterAll(() => jd.stop());

async function fails(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('JD sandbox areas', () => {
  it('serves a four-level tree the connector maps mall names onto, suffixes and aliases tolerated', async () => {
    const a = await jd.connector.resolveRegion(beijing);
    expect(a).toEqual({ serviceable: true, supplierRegionId: '1_101_10101' });
    expect((await jd.connector.resolveRegion({ province: '北京市', city: '北京', district: '朝阳' })).supplierRegionId).toBe(a.supplierRegionId);
    expect((await jd.connector.resolveRegion({ ...beijing, town: '望京街道' })).supplierRegionId).toBe('1_101_10101_1010103');
    expect((await jd.connector.resolveRegion({ province: '广东省', city: '深圳', district: '南山区' })).serviceable).toBe(true);
    expect((await jd.connector.resolveRegion({ province: '广西', city: '南宁市', district: '青秀区' })).serviceable).toBe(true);
    const jingan = await jd.connector.resolveRegion({ province: '上海', city: '上海市', district: '静安区' });
    expect((await jd.connector.resolveRegion({ province: '上海', city: '上海', district: '闸北区' })).supplierRegionId).toBe(jingan.supplierRegionId);
    expect((await jd.connector.resolveRegion({ province: '广东', city: '佛山市', district: '禅城区' })).serviceable).toBe(false);
    expect((await jd.connector.resolveRegion({ province: '火星', city: '奥林匹斯', district: '山区' })).serviceable).toBe(false);
  });

  it('answers live offers per area: heavy goods are not sellable in the far west, unmappable addresses get nothing', async () => {
    const offers = await jd.connector.getOffers(skus, { province: '上海', city: '上海市', district: '浦东新区' });
    expect(offers.map((o) => o.supplierSkuId)).toEqual(skus);
    expect(offers.every((o) => Number.isInteger(o.costFen) && o.sellable)).toBe(true);
    const [far] = await jd.connector.getOffers([heavySku], urumqi);
    expect(far).toMatchObject({ sellable: false, available: false });
    expect((await jd.connector.getOffers([heavySku], beijing))[0]?.sellable).toBe(true);
    const none = await jd.connector.getOffers(skus, { province: '火星', city: 'x', district: 'y' });
    expect(none.every((o) => !o.sellable && !o.available)).toBe(true);
  });

  it('refuses orders it cannot sell: unmappable address, heavy goods to the far west, an off-shelf SKU', async () => {
    const to = (region: Region, sku: string) => ({ ...beijingOrder(ref(), [sku]), recipient: { name: '李四', phone: '13900000000', ...region, address: '1号' } });
    expect(isSupplierError(await fails(jd.connector.submitOrder(to({ province: '火星', city: 'x', district: 'y' }, skus[0] ?? ''))), 'unserviceable_region')).toBe(true);
    expect(isSupplierError(await fails(jd.connector.submitOrder(to(urumqi, heavySku))), 'unserviceable_region')).toBe(true);
    expect(isSupplierError(await fails(jd.connector.submitOrder(to(beijing, offShelfSku))), 'not_sellable')).toBe(true);
  });
});

describe('JD sandbox orders', () => {
  it('pre-occupies stock on submit, confirms, splits a two-line order and delivers each child on the clock', async () => {
    const submitted = await jd.connector.submitOrder(beijingOrder(ref(), skus.slice(0, 2)));
    expect(submitted).toMatchObject({ status: 'pending_confirmation', children: [] });
    await jd.connector.confirmOrder(submitted.supplierOrderId);
    await jd.connector.confirmOrder(submitted.supplierOrderId); // harmless twice
    let order = await jd.connector.getOrder(submitted.supplierOrderId);
    expect(order.status).toBe('accepted');
    expect(order.children.map((c) => c.lines.map((l) => l.supplierSkuId))).toEqual([[skus[0]], [skus[1]]]);
    await jd.clock.advance(lifecycle.shipAfterMs + 30_000);
    expect((await jd.connector.getOrder(submitted.supplierOrderId)).status).toBe('partially_shipped');
    await jd.clock.advance(60_000);
    order = await jd.connector.getOrder(submitted.supplierOrderId);
    expect(order.status).toBe('shipped');
    expect(order.shipments.map((s) => s.carrier)).toEqual(['JD', 'JD']);
    expect(new Set(order.shipments.map((s) => s.trackingNo)).size).toBe(2);
    await jd.clock.advance(lifecycle.deliverAfterMs);
    order = await jd.connector.getOrder(submitted.supplierOrderId);
    expect(order.status).toBe('delivered');
    expect(order.children.every((c) => c.status === 'delivered')).toBe(true);
    expect(order.shipments[0]?.events.map((e) => e.status)).toEqual(['picked_up', 'in_transit', 'delivered']);
  });

  it('splits a single line of several units of an even sku id, deterministically, and ships an odd one whole', async () => {
    expect(splitPlan([{ skuId: evenSku, num: 3 }]).map((p) => p[0]?.num)).toEqual([2, 1]);
    const even = await jd.connector.submitOrder(beijingOrder(ref(), [evenSku], 3));
    await jd.connector.confirmOrder(even.supplierOrderId);
    expect((await jd.connector.getOrder(even.supplierOrderId)).children.map((c) => c.lines[0]?.quantity)).toEqual([2, 1]);
    const odd = await jd.connector.submitOrder(beijingOrder(ref(), [oddSku], 3));
    await jd.connector.confirmOrder(odd.supplierOrderId);
    expect((await jd.connector.getOrder(odd.supplierOrderId)).children).toEqual([]);
  });

  it('holds stock while pre-occupied and releases it on cancel; after confirmation it is not cancellable', async () => {
    const stock = async () => (await jd.connector.getOffers([skus[2] ?? ''], beijing))[0]?.stock ?? 0;
    const before = await stock();
    const a = await jd.connector.submitOrder(beijingOrder(ref(), [skus[2] ?? ''], 5));
    expect(await stock()).toBe(before - 5);
    await jd.connector.cancelOrder(a.supplierOrderId);
    await jd.connector.cancelOrder(a.supplierOrderId); // harmless twice
    expect((await jd.connector.getOrder(a.supplierOrderId)).status).toBe('cancelled');
    expect(await stock()).toBe(before);
    const b = await jd.connector.submitOrder(beijingOrder(ref(), [skus[2] ?? '']));
    await jd.connector.confirmOrder(b.supplierOrderId);
    expect(isSupplierError(await fails(jd.connector.cancelOrder(b.supplierOrderId)), 'not_cancellable')).toBe(true);
  });

  it('moves an after-sale through its steps on the clock, idempotent on the after-sale reference', async () => {
    const o = await jd.connector.submitOrder(beijingOrder(ref(), [skus[0] ?? '']));
    await jd.connector.confirmOrder(o.supplierOrderId);
    const req = { supplierOrderId: o.supplierOrderId, supplierSkuId: skus[0] ?? '', quantity: 1, type: 'return' as const, reason: '质量问题', reference: ref() };
    const applied = await jd.connector.applyAfterSale(req);
    expect((await jd.connector.applyAfterSale(req)).afterSaleId).toBe(applied.afterSaleId);
    expect(applied.status).toBe('pending');
    await jd.clock.advance(lifecycle.shipAfterMs);
    expect((await jd.connector.getAfterSale(applied.afterSaleId)).status).toBe('approved');
    await jd.clock.advance(lifecycle.deliverAfterMs + lifecycle.shipAfterMs);
    expect(await jd.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ supplierOrderId: o.supplierOrderId, status: 'completed' });
  });
});

describe('JD sandbox faults', () => {
  it('answers stockouts by SKU and by region name with 3008', async () => {
    jd.sandbox.faults.set({ stockoutRegions: ['北京'] });
    expect(isSupplierError(await fails(jd.connector.submitOrder(beijingOrder(ref(), [skus[0] ?? '']))), 'stockout')).toBe(true);
    expect((await jd.connector.getOffers([skus[0] ?? ''], beijing))[0]).toMatchObject({ available: false, sellable: true });
    expect((await jd.connector.getOffers([skus[0] ?? ''], { province: '上海', city: '上海市', district: '黄浦区' }))[0]?.available).toBe(true);
    jd.sandbox.faults.reset();
  });

  it('alternates "system busy" and gateway 502 for injected failures; the connector retries both', async () => {
    jd.sandbox.faults.set({ failNext: 2 });
    const before = jd.sandbox.requestCount();
    expect((await jd.connector.getOffers([skus[0] ?? ''], beijing))).toHaveLength(1);
    expect(jd.sandbox.requestCount() - before).toBeGreaterThanOrEqual(4);
  });

  it('expires tokens (1004): the connector refreshes once and goes on', async () => {
    jd.sandbox.faults.set({ expireTokens: true });
    expect((await jd.connector.listCatalog({ limit: 100 })).items).toHaveLength(100);
  });

  it('answers the call limit in its own form: rate_limited', async () => {
    const conn = jd.connectorWith({}, { retries: 0 });
    await conn.resolveRegion({ province: '北京', city: '北京市', district: '海淀区' });
    jd.sandbox.faults.set({ rateLimitPerSec: 1 });
    const err = await fails(Promise.all(Array.from({ length: 3 }, () => conn.getOffers([skus[0] ?? ''], beijing))));
    expect(isSupplierError(err, 'rate_limited')).toBe(true);
    jd.sandbox.faults.reset();
  });

  it('rejects a timestamp more than 10 minutes off, and a hang times out', async () => {
    const skewed = jd.connectorWith({}, { retries: 0 }, { now: () => new Date(Date.now() - 3600_000) });
    expect(isSupplierError(await fails(skewed.resolveRegion(beijing)), 'bad_request')).toBe(true);
    const quick = jd.connectorWith({}, { retries: 0 }, { timeoutMs: 150 });
    await quick.resolveRegion(beijing);
    jd.sandbox.faults.set({ hangRate: 1 });
    expect(await fails(quick.getOffers([skus[0] ?? ''], beijing))).toMatchObject({ code: 'timeout', outcomeUnknown: false });
    jd.sandbox.faults.reset();
  });

  it('confirms once when the confirm answer is lost: the connector retries and JD treats it as done', async () => {
    const quick = jd.connectorWith({}, {}, { timeoutMs: 150 });
    const o = await quick.submitOrder(beijingOrder(ref(), [skus[1] ?? '']));
    jd.sandbox.faults.set({ unknownOutcomeNext: 1 });
    await quick.confirmOrder(o.supplierOrderId);
    expect((await quick.getOrder(o.supplierOrderId)).status).toBe('accepted');
    jd.sandbox.faults.reset();
  });
});
