import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PollInbound } from '../../../connectors/connector.ts';
import { JD_MESSAGE as MSG } from '../../../connectors/jd/methods.ts';
import { changedSince, skuChanges, supplierSkuIdOf } from '../../../fixtures/catalog/index.ts';
import { beijingOrder, startJd, wellStockedSkus } from './conformance-target.ts';

const SEED = 13;
const SIZE = 800;
const lifecycle = { shipAfterMs: 3600_000, transitAfterMs: 2 * 3600_000, deliverAfterMs: 24 * 3600_000, topupResultAfterMs: 1_000 };
const ALL = Object.values(MSG);
let jd: Awaited<ReturnType<typeof startJd>>;
let inbound: PollInbound;
let n = 0;
const ref = () => `JD-P-${Date.now().toString(36)}-${++n}`;
const skus = wellStockedSkus(SEED, SIZE, 2);
const control = (path: string, body: unknown = {}) => fetch(`${jd.baseUrl}/sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const types = async (only = ALL) => (await inbound.fetch(only)).map((m) => Number(m.eventType));
/** Submits and cancels an order: exactly one message (10) when no fault applies. */
const cancelled = async () => {
  const o = await jd.connector.submitOrder(beijingOrder(ref(), [skus[1] ?? '']));
  await jd.connector.cancelOrder(o.supplierOrderId);
  return o.supplierOrderId;
};

beforeAll(async () => {
  jd = await startJd({ seed: SEED, skus: SIZE, lifecycle });
  if (jd.connector.inbound.mode !== 'poll') throw new Error('JD is polled');
  inbound = jd.connector.inbound;
});
beforeEach(async () => {
  jd.sandbox.faults.reset();
  for (let left = await inbound.fetch(ALL); left.length; left = await inbound.fetch(ALL)) await inbound.acknowledge(left.map((m) => m.eventId));
});
afterAll(() => jd.stop());

describe('JD message pool', () => {
  it('fills as an order moves, keeps messages until they are deleted, and parses them into events', async () => {
    const o = await jd.connector.submitOrder(beijingOrder(ref(), skus));
    await jd.connector.confirmOrder(o.supplierOrderId);
    await jd.clock.advance(lifecycle.deliverAfterMs + 120_000);
    const first = await inbound.fetch(ALL);
    expect(first.map((m) => Number(m.eventType))).toEqual([MSG.SPLIT, MSG.SHIPPED, MSG.SHIPPED, MSG.DELIVERED, MSG.DELIVERED]);
    const events = first.flatMap((m) => inbound.parse(m));
    expect(events[0]).toMatchObject({ type: 'order.split', supplierOrderId: o.supplierOrderId });
    expect(events.slice(1).every((e) => 'supplierOrderId' in e && e.supplierOrderId === o.supplierOrderId)).toBe(true);
    expect((await inbound.fetch(ALL)).map((m) => m.eventId)).toEqual(first.map((m) => m.eventId));
    expect(await types([MSG.DELIVERED])).toEqual([MSG.DELIVERED, MSG.DELIVERED]);
    await inbound.acknowledge(first.slice(0, 3).map((m) => m.eventId));
    expect(await types()).toEqual([MSG.DELIVERED, MSG.DELIVERED]);
    await inbound.acknowledge(first.map((m) => m.eventId)); // deleting twice is harmless
    expect(await inbound.fetch(ALL)).toEqual([]);
  });

  it('reports after-sale steps as type 31', async () => {
    const o = await jd.connector.submitOrder(beijingOrder(ref(), [skus[0] ?? '']));
    await jd.connector.confirmOrder(o.supplierOrderId);
    const as = await jd.connector.applyAfterSale({ supplierOrderId: o.supplierOrderId, supplierSkuId: skus[0] ?? '', quantity: 1, type: 'exchange', reason: '尺码不合适', reference: ref() });
    await jd.clock.advance(lifecycle.deliverAfterMs + lifecycle.shipAfterMs);
    const steps = (await inbound.fetch([MSG.AFTER_SALE])).flatMap((m) => inbound.parse(m));
    expect(steps.map((e) => (e.type === 'aftersale.updated' ? [e.afterSaleId, e.status] : []))).toEqual([[as.afterSaleId, 'pending'], [as.afterSaleId, 'approved'], [as.afterSaleId, 'received'], [as.afterSaleId, 'completed']]);
  });

  it('reports a catalog revision as price (2) and on/off-shelf (4) messages for exactly the touched SKUs', async () => {
    const res = (await (await control('/catalog/revise')).json()) as { revision: number; messages: number };
    const catalog = { seed: SEED, size: SIZE };
    const touched = changedSince('jd', res.revision - 1, res.revision, catalog).map((i) => ({ id: supplierSkuIdOf('jd', i, catalog), ...skuChanges('jd', i, res.revision - 1, res.revision, catalog) }));
    const events = (await inbound.fetch([MSG.PRICE, MSG.LISTING])).flatMap((m) => inbound.parse(m));
    expect(res.messages).toBeLessThanOrEqual(100);
    const ids = (change: string) => events.flatMap((e) => (e.type === 'catalog.changed' && e.change === change ? e.supplierSkuIds : [])).sort();
    expect(ids('price')).toEqual(touched.filter((t) => t.price).map((t) => t.id).sort());
    expect(ids('listing')).toEqual(touched.filter((t) => t.shelf).map((t) => t.id).sort());
    const offer = await jd.connector.getOffers([ids('price')[0] ?? ''], { province: '北京', city: '北京市', district: '朝阳区' });
    expect(Number.isInteger(offer[0]?.costFen)).toBe(true);
  });

  it('takes injected messages of the types the sandbox never produces itself (6, 14, 16)', async () => {
    await control('/messages', { type: MSG.POOL, result: { skuId: Number(skus[0]), page_num: 'P1', state: 2 } });
    await control('/messages', { type: MSG.PAYMENT_FAILED, result: { orderId: 3_000_000_001 } });
    await control('/messages', { type: MSG.PRODUCT, result: { skuId: Number(skus[1]) } });
    expect((await control('/messages', { type: 'x' })).status).toBe(400);
    const events = (await inbound.fetch(ALL)).flatMap((m) => inbound.parse(m));
    expect(events).toMatchObject([
      { type: 'catalog.changed', change: 'pool', supplierSkuIds: [skus[0]] },
      { type: 'order.updated', supplierOrderId: '3000000001', status: 'failed' },
      { type: 'catalog.changed', change: 'product', supplierSkuIds: [skus[1]] },
    ]);
  });

  it('returns at most 100 messages a call; the rest come once those are deleted', async () => {
    for (let i = 0; i < 120; i++) await control('/messages', { type: MSG.PRODUCT, result: { skuId: Number(skus[0]) } });
    const first = await inbound.fetch([MSG.PRODUCT]);
    expect(first).toHaveLength(100);
    await inbound.acknowledge(first.map((m) => m.eventId));
    expect(await inbound.fetch([MSG.PRODUCT])).toHaveLength(20);
  });
});

describe('JD message pool faults', () => {
  it('duplicates messages under new ids', async () => {
    jd.sandbox.faults.set({ callbacks: { duplicateRate: 1 } });
    const id = await cancelled();
    const dup = await inbound.fetch([MSG.CANCELLED]);
    expect(dup).toHaveLength(2);
    expect(new Set(dup.map((m) => m.eventId)).size).toBe(2);
    expect(dup.flatMap((m) => inbound.parse(m)).map((e) => ('supplierOrderId' in e ? e.supplierOrderId : ''))).toEqual([id, id]);
  });

  it('drops messages', async () => {
    jd.sandbox.faults.set({ callbacks: { dropRate: 1 } });
    await cancelled();
    expect(await inbound.fetch(ALL)).toEqual([]);
  });

  it('reorders messages: the newest comes first', async () => {
    jd.sandbox.faults.set({ callbacks: { reorder: true } });
    const a = await cancelled();
    const b = await cancelled();
    const order = (await inbound.fetch([MSG.CANCELLED])).flatMap((m) => inbound.parse(m)).map((e) => ('supplierOrderId' in e ? e.supplierOrderId : ''));
    expect(order).toEqual([b, a]);
  });

  it('delays messages until the clock has moved on by delayMs', async () => {
    jd.sandbox.faults.set({ callbacks: { delayMs: 60_000 } });
    await cancelled();
    expect(await inbound.fetch(ALL)).toEqual([]);
    await jd.clock.advance(60_000);
    expect(await types()).toEqual([MSG.CANCELLED]);
  });
});
