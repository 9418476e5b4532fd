import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SupplierEvent } from '../../../connectors/connector.ts';
import { isSupplierError } from '../../../connectors/errors.ts';
import { BEIJING, type BrandRig, findSku, startBrandRig } from './harness.ts';

// Lifecycle delays as in production; the tests move the sandbox clock, they never sleep for hours.
const HOUR = 3600_000;
const LIFECYCLE = { shipAfterMs: 2 * HOUR, transitAfterMs: 6 * HOUR, deliverAfterMs: 24 * HOUR };
const SEED = 11;
const SKUS = 400;

let rig: BrandRig;
let n = 0;
const ref = (label: string) => `SBX-${label}-${Date.now().toString(36)}-${++n}`;
beforeAll(async () => {
  rig = await startBrandRig({ id: 'brand-acme', seed: SEED, skus: SKUS, lifecycle: LIFECYCLE });
});
afterAll(() => rig.stop());

const goods = () => findSku('brand-acme', { seed: SEED, skus: SKUS, kind: 'physical' });
const service = () => findSku('brand-acme', { seed: SEED, skus: SKUS, kind: 'service' });

/** The events the hub would get from the webhooks received so far for one order, verified as the hub verifies them. */
function eventsFor(supplierOrderId: string): SupplierEvent[] {
  const inbound = rig.connector.inbound;
  if (inbound.mode !== 'webhook') throw new Error('webhook inbound expected');
  return rig.hooks
    .map((h) => inbound.parse(inbound.verify({ headers: h.headers, rawBody: h.rawBody }, new Date())))
    .flat()
    .filter((e) => 'supplierOrderId' in e && e.supplierOrderId === supplierOrderId);
}

describe('brand sandbox lifecycle on the virtual clock', () => {
  it('moves an order accepted → shipped → in transit → delivered, with a signed webhook at each evented step', async () => {
    const order = await rig.connector.submitOrder({ reference: ref('life'), lines: [{ supplierSkuId: goods(), quantity: 1 }], recipient: BEIJING });
    expect(order.status).toBe('accepted');
    await vi.waitFor(() => expect(eventsFor(order.supplierOrderId).map((e) => e.type)).toEqual(['order.updated']));
    expect(rig.hooks.at(-1)?.path).toBe('/webhooks/brand/brand-acme');

    await rig.clock.advance(LIFECYCLE.shipAfterMs);
    const shipped = await rig.connector.getOrder(order.supplierOrderId);
    expect(shipped.status).toBe('shipped');
    expect(shipped.shipments[0]?.trackingNo).toMatch(/^[A-Z0-9]{8,}$/);
    const shippedEvent = eventsFor(order.supplierOrderId).find((e) => e.type === 'order.shipped');
    expect(shippedEvent?.type === 'order.shipped' && shippedEvent.shipment).toEqual(shipped.shipments[0]);

    await rig.clock.advance(LIFECYCLE.transitAfterMs);
    expect((await rig.connector.getOrder(order.supplierOrderId)).shipments[0]?.events.map((e) => e.status)).toEqual(['picked_up', 'in_transit']);
    await rig.clock.advance(LIFECYCLE.deliverAfterMs);
    const delivered = await rig.connector.getOrder(order.supplierOrderId);
    expect(delivered.status).toBe('delivered');
    expect(eventsFor(order.supplierOrderId).map((e) => e.type)).toEqual(['order.updated', 'order.shipped', 'order.delivered']);
    expect(eventsFor(order.supplierOrderId).at(-1)).toMatchObject({ trackingNo: delivered.shipments[0]?.trackingNo, reference: order.reference });
  });

  it('backorders more than the region holds, accepts after the restock delay, then ships', async () => {
    // Guangdong, so the Beijing stock the other tests order from stays untouched.
    const guangdong = { ...BEIJING, province: '广东', city: '广州市', district: '天河区' };
    const sku = findSku('brand-acme', { seed: SEED, skus: SKUS, kind: 'physical', province: '440000' });
    const [offer] = await rig.connector.getOffers([sku], guangdong);
    const order = await rig.connector.submitOrder({ reference: ref('back'), lines: [{ supplierSkuId: sku, quantity: (offer?.stock ?? 0) + 5 }], recipient: guangdong });
    expect(order.status).toBe('backordered');
    expect((await rig.connector.getOffers([sku], guangdong))[0]).toMatchObject({ stock: 0, available: false });
    await rig.clock.advance(LIFECYCLE.shipAfterMs);
    expect((await rig.connector.getOrder(order.supplierOrderId)).status).toBe('accepted');
    await rig.clock.advance(LIFECYCLE.shipAfterMs);
    expect((await rig.connector.getOrder(order.supplierOrderId)).status).toBe('shipped');
    expect(eventsFor(order.supplierOrderId).map((e) => (e.type === 'order.updated' ? e.status : e.type))).toEqual(['backordered', 'accepted', 'order.shipped']);
  });

  it('issues services at once as e-voucher codes (no shipment), and they cannot be cancelled', async () => {
    const reference = ref('svc');
    const order = await rig.connector.submitOrder({ reference, lines: [{ supplierSkuId: service(), quantity: 2 }], rechargeAccount: '13800138000' });
    expect(order).toMatchObject({ status: 'issued', shipments: [], freightFen: 0 });
    expect(order.vouchers).toHaveLength(2);
    await vi.waitFor(() => expect(eventsFor(order.supplierOrderId)).toEqual([expect.objectContaining({ type: 'order.issued', reference })]));
    const err = await rig.connector.cancelOrder(order.supplierOrderId).catch((e: unknown) => e);
    expect(isSupplierError(err, 'not_cancellable')).toBe(true);
  });

  it('cancels before shipment (stock comes back, order.cancelled sent) and refuses after it', async () => {
    const sku = goods();
    const before = (await rig.connector.getOffers([sku], BEIJING))[0]?.stock ?? 0;
    const order = await rig.connector.submitOrder({ reference: ref('cancel'), lines: [{ supplierSkuId: sku, quantity: 3 }], recipient: BEIJING });
    expect((await rig.connector.getOffers([sku], BEIJING))[0]?.stock).toBe(before - 3);
    await rig.connector.cancelOrder(order.supplierOrderId);
    await rig.connector.cancelOrder(order.supplierOrderId); // a second cancel answers the cancelled order
    expect((await rig.connector.getOrder(order.supplierOrderId)).status).toBe('cancelled');
    expect((await rig.connector.getOffers([sku], BEIJING))[0]?.stock).toBe(before);
    await vi.waitFor(() => expect(eventsFor(order.supplierOrderId).map((e) => e.type)).toContain('order.cancelled'));
    await rig.clock.advance(LIFECYCLE.shipAfterMs);
    expect((await rig.connector.getOrder(order.supplierOrderId)).status).toBe('cancelled');

    const shipped = await rig.connector.submitOrder({ reference: ref('late'), lines: [{ supplierSkuId: sku, quantity: 1 }], recipient: BEIJING });
    await rig.clock.advance(LIFECYCLE.shipAfterMs);
    const err = await rig.connector.cancelOrder(shipped.supplierOrderId).catch((e: unknown) => e);
    expect(isSupplierError(err, 'not_cancellable')).toBe(true);
  });

  it('receives a returned parcel after transit (return.received), rejects returns of e-vouchers (return.rejected)', async () => {
    const order = await rig.connector.submitOrder({ reference: ref('ret'), lines: [{ supplierSkuId: goods(), quantity: 1 }], recipient: BEIJING });
    const early = await rig.connector.applyAfterSale({ supplierOrderId: order.supplierOrderId, supplierSkuId: goods(), quantity: 1, type: 'return', reason: '不想要了', reference: ref('r0') }).catch((e: unknown) => e);
    expect(isSupplierError(early, 'rejected')).toBe(true);
    await rig.clock.advance(LIFECYCLE.shipAfterMs);
    const reference = ref('r1');
    const ret = await rig.connector.applyAfterSale({ supplierOrderId: order.supplierOrderId, supplierSkuId: goods(), quantity: 1, type: 'return', reason: '商品破损', reference });
    expect(ret.status).toBe('pending');
    const again = await rig.connector.applyAfterSale({ supplierOrderId: order.supplierOrderId, supplierSkuId: goods(), quantity: 1, type: 'return', reason: '商品破损', reference });
    expect(again.afterSaleId).toBe(ret.afterSaleId);
    await rig.clock.advance(LIFECYCLE.transitAfterMs);
    expect((await rig.connector.getAfterSale(ret.afterSaleId)).status).toBe('received');

    const vouchers = await rig.connector.submitOrder({ reference: ref('svc-ret'), lines: [{ supplierSkuId: service(), quantity: 1 }] });
    const svcRet = await rig.connector.applyAfterSale({ supplierOrderId: vouchers.supplierOrderId, supplierSkuId: service(), quantity: 1, type: 'refund', reason: '不想要了', reference: ref('r2') });
    await rig.clock.advance(LIFECYCLE.shipAfterMs);
    expect((await rig.connector.getAfterSale(svcRet.afterSaleId)).status).toBe('rejected');
    const updates = rig.hooks.map((h) => JSON.parse(h.rawBody) as { type: string; data: { returnId?: string } }).filter((e) => e.data.returnId);
    expect(updates.map((e) => [e.type, e.data.returnId])).toEqual(expect.arrayContaining([['return.received', ret.afterSaleId], ['return.rejected', svcRet.afterSaleId]]));
  });
});

describe('brand sandbox webhooks under callback faults', () => {
  it('retries a webhook until the hub answers 2xx; the delivery that gets through verifies', async () => {
    rig.receiverStatus.value = 503;
    const order = await rig.connector.submitOrder({ reference: ref('retry'), lines: [{ supplierSkuId: goods(), quantity: 1 }], recipient: BEIJING });
    await vi.waitFor(() => expect(rig.sandbox.callbacks.attempts.filter((a) => a.status === 503).length).toBeGreaterThanOrEqual(2));
    rig.receiverStatus.value = 200;
    await vi.waitFor(() => expect(eventsFor(order.supplierOrderId)).toHaveLength(1));
  });

  it('duplicates and drops webhooks when told to', async () => {
    rig.sandbox.faults.set({ callbacks: { duplicateRate: 1 } });
    const dup = await rig.connector.submitOrder({ reference: ref('dup'), lines: [{ supplierSkuId: goods(), quantity: 1 }], recipient: BEIJING });
    await vi.waitFor(() => expect(rig.hooks.filter((h) => h.rawBody.includes(dup.supplierOrderId))).toHaveLength(2));
    const [a, b] = rig.hooks.filter((h) => h.rawBody.includes(dup.supplierOrderId));
    expect(a?.rawBody).toBe(b?.rawBody);
    rig.sandbox.faults.set({ callbacks: { dropRate: 1 } });
    const dropped = await rig.connector.submitOrder({ reference: ref('drop'), lines: [{ supplierSkuId: goods(), quantity: 1 }], recipient: BEIJING });
    await rig.sandbox.tick(rig.clock.now());
    await new Promise((r) => setTimeout(r, 100));
    expect(rig.hooks.filter((h) => h.rawBody.includes(dropped.supplierOrderId))).toHaveLength(0);
    rig.sandbox.faults.reset();
  });
});
