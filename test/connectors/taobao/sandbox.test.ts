import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { changedSince, supplierSkuIdOf } from '../../../fixtures/catalog/index.ts';
import { defaultLifecycle } from '../../../connectors/sandbox/common/context.ts';
import type { SupplierEvent, WebhookInbound } from '../../../connectors/connector.ts';
import { beijingOrder, startTaobao } from './conformance-target.ts';

const SEED = 11;
const SKUS = 1_000;
const { shipAfterMs, transitAfterMs, deliverAfterMs } = defaultLifecycle;
let run: Awaited<ReturnType<typeof startTaobao>>;
let n = 0;
const ref = () => `SBX-${Date.now().toString(36)}-${++n}`;

beforeAll(async () => {
  run = await startTaobao({ seed: SEED, skus: SKUS });
});
afterAll(() => run?.stop());
beforeEach(() => {
  run.sandbox.faults.reset();
  run.receiver.pushes.length = 0;
});

/** The neutral events of every push received so far, each verified as the hub would. */
function receivedEvents(): SupplierEvent[] {
  const inbound = run.connector.inbound as WebhookInbound;
  return run.receiver.pushes.flatMap((p) => inbound.parse(inbound.verify({ headers: {}, rawBody: p.rawBody }, p.receivedAt)));
}
const topics = () => run.receiver.pushes.map((p) => p.body.topic);

describe('Taobao sandbox order lifecycle on the virtual clock', () => {
  it('ships with a carrier and waybill, moves in transit, then delivers, pushing at each step', async () => {
    const order = await run.connector.submitOrder(run.orderRequest(ref()));
    expect(order.status).toBe('accepted');
    await run.clock.advance(shipAfterMs);
    const shipped = await run.connector.getOrder(order.supplierOrderId);
    expect(shipped.status).toBe('shipped');
    expect(['ZTO', 'YTO', 'STO', 'YUNDA', 'SF']).toContain(shipped.shipments[0]?.carrier);
    expect(shipped.shipments[0]?.trackingNo).toMatch(/^[A-Z0-9]{12,15}$/);
    await run.clock.advance(transitAfterMs);
    await run.clock.advance(deliverAfterMs);
    const delivered = await run.connector.getOrder(order.supplierOrderId);
    expect(delivered.status).toBe('delivered');
    expect(delivered.shipments[0]?.events.map((e) => e.status)).toEqual(['picked_up', 'picked_up', 'in_transit', 'in_transit', 'out_for_delivery', 'delivered']);
    expect(receivedEvents().map((e) => e.type)).toEqual(['order.shipped', 'order.shipped', 'order.shipped', 'order.delivered']);
  });

  it('picks the same carrier for the same distributor order number', async () => {
    const reference = ref();
    const a = await run.connector.submitOrder(run.orderRequest(reference));
    await run.clock.advance(shipAfterMs);
    const first = (await run.connector.getOrder(a.supplierOrderId)).shipments[0]?.carrier;
    const [push] = receivedEvents();
    expect(push?.type === 'order.shipped' && push.shipment.carrier).toBe(first);
  });

  it('takes stock for an order and gives it back when the order is closed, pushing fenxiao_OrderClosed', async () => {
    const region = { province: '北京市', city: '北京市', district: '朝阳区' };
    const [before] = await run.connector.getOffers([run.orderedSku], region);
    const order = await run.connector.submitOrder(beijingOrder(ref(), run.orderedSku, 3));
    expect((await run.connector.getOffers([run.orderedSku], region))[0]?.stock).toBe((before?.stock ?? 0) - 3);
    await run.connector.cancelOrder(order.supplierOrderId);
    await run.connector.cancelOrder(order.supplierOrderId); // closing twice is fine
    expect((await run.connector.getOffers([run.orderedSku], region))[0]?.stock).toBe(before?.stock);
    expect((await run.connector.getOrder(order.supplierOrderId)).status).toBe('cancelled');
    await run.sandbox.tick(run.clock.now());
    expect(receivedEvents()).toEqual([expect.objectContaining({ type: 'order.cancelled', supplierOrderId: order.supplierOrderId })]);
  });

  it('refuses to close a shipped order: not_cancellable', async () => {
    const order = await run.connector.submitOrder(run.orderRequest(ref()));
    await run.clock.advance(shipAfterMs);
    await expect(run.connector.cancelOrder(order.supplierOrderId)).rejects.toMatchObject({ code: 'not_cancellable' });
  });

  it('lets the seller close an unshipped order, which the hub hears as order.cancelled', async () => {
    const order = await run.connector.submitOrder(run.orderRequest(ref()));
    expect(await run.sandbox.closeBySeller(order.supplierOrderId, '缺货无法发货')).toBe(true);
    expect(receivedEvents()).toEqual([expect.objectContaining({ type: 'order.cancelled', reason: '缺货无法发货' })]);
  });

  it('moves a return 1 → 2 → 3 → 12 (goods received) → 5 and a refund-only 1 → 12 → 5, pushing each status', async () => {
    const order = await run.connector.submitOrder(run.orderRequest(ref()));
    const refundOnly = await run.connector.applyAfterSale({ supplierOrderId: order.supplierOrderId, supplierSkuId: run.orderedSku, quantity: 1, type: 'refund', reason: '不想要了', reference: ref() });
    await expect(
      run.connector.applyAfterSale({ supplierOrderId: order.supplierOrderId, supplierSkuId: run.orderedSku, quantity: 1, type: 'return', reason: '', reference: ref() }),
    ).rejects.toMatchObject({ code: 'rejected' }); // nothing shipped yet to return
    await run.clock.advance(shipAfterMs);
    const rma = { supplierOrderId: order.supplierOrderId, supplierSkuId: run.orderedSku, quantity: 1, type: 'return' as const, reason: '商品破损', reference: ref() };
    const ret = await run.connector.applyAfterSale(rma);
    expect((await run.connector.applyAfterSale(rma)).afterSaleId).toBe(ret.afterSaleId); // same dist_refund_no, same refund
    expect((await run.connector.getAfterSale(refundOnly.afterSaleId)).status).toBe('approved');
    await run.clock.advance(shipAfterMs + transitAfterMs + deliverAfterMs);
    expect((await run.connector.getAfterSale(ret.afterSaleId)).status).toBe('refunded');
    expect((await run.connector.getAfterSale(refundOnly.afterSaleId)).status).toBe('refunded');
    const byRefund = (id: string) => receivedEvents().flatMap((e) => (e.type === 'aftersale.updated' && e.afterSaleId === id ? [e.status] : []));
    expect(byRefund(ret.afterSaleId)).toEqual(['pending', 'approved', 'approved', 'received', 'refunded']);
  });
});

describe('Taobao sandbox pushes under callback faults', () => {
  it('repeats a push with the same msg_id when duplicating', async () => {
    run.sandbox.faults.set({ callbacks: { duplicateRate: 1 } });
    await run.connector.submitOrder(run.orderRequest(ref()));
    await run.clock.advance(shipAfterMs);
    const ids = run.receiver.pushes.map((p) => p.body.msg_id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('sends a batch in reverse order when reordering', async () => {
    run.sandbox.faults.set({ callbacks: { reorder: true } });
    await run.connector.submitOrder(run.orderRequest(ref()));
    await run.clock.advance(shipAfterMs + transitAfterMs + deliverAfterMs);
    const statuses = run.receiver.pushes.map((p) => (JSON.parse(p.body.content) as { status: string }).status);
    expect(statuses[0]).toBe('TRADE_FINISHED');
  });

  it('pushes again until the hub answers {"success": true}', async () => {
    run.receiver.failNext(2);
    await run.connector.submitOrder(run.orderRequest(ref()));
    await run.clock.advance(shipAfterMs);
    expect(topics()).toEqual(['fenxiao_OrderShipped']);
    expect(run.sandbox.callbacks.attempts.slice(-3).map((a) => a.status)).toEqual([500, 500, 200]);
  });
});

describe('Taobao sandbox catalog revisions', () => {
  it('publishes a revision: item pushes name what changed, and start_modified pulls only those', async () => {
    await run.clock.advance(1_000); // orders earlier in this file touched stock before the window below
    const revision = await run.sandbox.reviseCatalog();
    const expected = changedSince('taobao', revision - 1, revision, { seed: SEED, size: SKUS }).map((i) => supplierSkuIdOf('taobao', i, { seed: SEED }));
    const pushed = new Set(receivedEvents().flatMap((e) => (e.type === 'catalog.changed' ? e.supplierSkuIds : [])));
    expect([...pushed].sort()).toEqual([...expected].sort());
    const pulled: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await run.connector.listCatalog({ cursor, limit: 20, updatedSince: new Date(run.clock.now().getTime() - 500) });
      pulled.push(...page.items.map((s) => s.supplierSkuId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pulled.sort()).toEqual([...expected].sort());
  });
});
