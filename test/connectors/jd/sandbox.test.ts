import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSupplierError } from '../../../connectors/errors.ts';
import { JD_MESSAGE } from '../../../connectors/jd/methods.ts';
import { beijingOrder, startJd, wellStockedSkus } from './conformance-target.ts';

const lifecycle = { shipAfterMs: 3600_000, transitAfterMs: 2 * 3600_000, deliverAfterMs: 24 * 3600_000, topupResultAfterMs: 1_000 };
let jd: Awaited<ReturnType<typeof startJd>>;
let skus: string[];
let n = 0;
const ref = () => `JD-T-${Date.now().toString(36)}-${++n}`;

beforeAll(async () => {
  jd = await startJd({ seed: 11, skus: 600, lifecycle });
  skus = wellStockedSkus(11, 600, 2);
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

describe('JD areas', () => {
  it('maps mall address names to JD area ids, tolerating suffixes and aliases', async () => {
    const a = await jd.connector.resolveRegion({ province: '北京', city: '北京市', district: '朝阳区' });
    const b = await jd.connector.resolveRegion({ province: '北京市', city: '北京', district: '朝阳' });
    expect(a.serviceable).toBe(true);
    expect(b.supplierRegionId).toBe(a.supplierRegionId);
    expect((await jd.connector.resolveRegion({ province: '广东省', city: '深圳', district: '南山区' })).serviceable).toBe(true);
    expect((await jd.connector.resolveRegion({ province: '火星', city: '奥林匹斯', district: '山区' })).serviceable).toBe(false);
  });

  it('answers live offers per area, and none for an unmappable address', async () => {
    const offers = await jd.connector.getOffers(skus, { province: '上海', city: '上海市', district: '浦东新区' });
    expect(offers.map((o) => o.supplierSkuId)).toEqual(skus);
    expect(offers.every((o) => Number.isInteger(o.costFen) && o.sellable)).toBe(true);
    const none = await jd.connector.getOffers(skus, { province: '火星', city: 'x', district: 'y' });
    expect(none.every((o) => !o.sellable && !o.available)).toBe(true);
    const err = await fails(jd.connector.submitOrder({ ...beijingOrder(ref(), skus), recipient: { name: '李四', phone: '13900000000', province: '火星', city: 'x', district: 'y', address: '1号' } }));
    expect(isSupplierError(err, 'unserviceable_region')).toBe(true);
  });
});

describe('JD orders', () => {
  it('submits with stock pre-occupied, confirms, splits a two-line order and delivers each child', async () => {
    const submitted = await jd.connector.submitOrder(beijingOrder(ref(), skus));
    expect(submitted.status).toBe('pending_confirmation');
    expect(submitted.lines).toHaveLength(2);
    await jd.connector.confirmOrder(submitted.supplierOrderId);
    await jd.connector.confirmOrder(submitted.supplierOrderId); // harmless twice
    let order = await jd.connector.getOrder(submitted.supplierOrderId);
    expect(order.status).toBe('accepted');
    expect(order.children).toHaveLength(2);
    await jd.clock.advance(lifecycle.shipAfterMs + 120_000);
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

  it('cancels only while pre-occupied; after confirmation it is not cancellable', async () => {
    const a = await jd.connector.submitOrder(beijingOrder(ref(), [skus[0] ?? '']));
    await jd.connector.cancelOrder(a.supplierOrderId);
    expect((await jd.connector.getOrder(a.supplierOrderId)).status).toBe('cancelled');
    const b = await jd.connector.submitOrder(beijingOrder(ref(), [skus[0] ?? '']));
    await jd.connector.confirmOrder(b.supplierOrderId);
    expect(isSupplierError(await fails(jd.connector.cancelOrder(b.supplierOrderId)), 'not_cancellable')).toBe(true);
  });

  it('refreshes an expired token once and goes on', async () => {
    jd.sandbox.faults.set({ expireTokens: true });
    const page = await jd.connector.listCatalog({ limit: 100 });
    expect(page.items.length).toBe(100);
  });

  it('maps a rate-limit answer to rate_limited', async () => {
    const conn = jd.connectorWith({}, { retries: 0 });
    jd.sandbox.faults.set({ rateLimitPerSec: 1 });
    await conn.resolveRegion({ province: '北京', city: '北京市', district: '朝阳区' }).catch(() => undefined);
    const err = await fails(Promise.all(Array.from({ length: 3 }, () => conn.getOffers([skus[0] ?? ''], { province: '北京', city: '北京市', district: '海淀区' }))));
    expect(isSupplierError(err, 'rate_limited')).toBe(true);
    jd.sandbox.faults.reset();
  });
});

describe('JD message pool', () => {
  it('holds messages until they are deleted, and parses them into events', async () => {
    const inbound = jd.connector.inbound;
    if (inbound.mode !== 'poll') throw new Error('JD is polled');
    const types = Object.values(JD_MESSAGE);
    const first = await inbound.fetch(types);
    expect(first.length).toBeGreaterThan(0);
    const events = first.flatMap((m) => inbound.parse(m));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['order.split', 'order.shipped', 'order.delivered', 'order.cancelled']));
    // Not deleted yet: fetched again.
    expect((await inbound.fetch(types)).map((m) => m.eventId)).toEqual(first.map((m) => m.eventId));
    await inbound.acknowledge(first.map((m) => m.eventId));
    expect(await inbound.fetch(types)).toEqual([]);
  });

  it('reports catalog revisions as price messages for the changed SKUs', async () => {
    const res = await fetch(`${jd.baseUrl}/sandbox/catalog/revise`, { method: 'POST' });
    const { changed } = (await res.json()) as { changed: number };
    const inbound = jd.connector.inbound;
    if (inbound.mode !== 'poll') throw new Error('JD is polled');
    const messages = await inbound.fetch([JD_MESSAGE.PRICE]);
    expect(messages.length).toBe(Math.min(100, changed));
    const ev = inbound.parse(messages[0] ?? { eventId: '', eventType: '', raw: '{}' });
    expect(ev[0]).toMatchObject({ type: 'catalog.changed', change: 'price' });
  });

  it('applies duplicate and drop faults to the pool', async () => {
    const inbound = jd.connector.inbound;
    if (inbound.mode !== 'poll') throw new Error('JD is polled');
    await inbound.acknowledge((await inbound.fetch([JD_MESSAGE.CANCELLED])).map((m) => m.eventId));
    jd.sandbox.faults.set({ callbacks: { duplicateRate: 1 } });
    const o = await jd.connector.submitOrder(beijingOrder(ref(), [skus[1] ?? '']));
    await jd.connector.cancelOrder(o.supplierOrderId);
    const dup = await inbound.fetch([JD_MESSAGE.CANCELLED]);
    expect(dup).toHaveLength(2);
    expect(new Set(dup.map((m) => m.eventId)).size).toBe(2);
    await inbound.acknowledge(dup.map((m) => m.eventId));
    jd.sandbox.faults.set({ callbacks: { dropRate: 1 } });
    const p = await jd.connector.submitOrder(beijingOrder(ref(), [skus[1] ?? '']));
    await jd.connector.cancelOrder(p.supplierOrderId);
    expect(await inbound.fetch([JD_MESSAGE.CANCELLED])).toEqual([]);
    jd.sandbox.faults.reset();
  });
});
