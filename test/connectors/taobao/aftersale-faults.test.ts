import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AfterSaleRequest, SupplierEvent, WebhookInbound } from '../../../connectors/connector.ts';
import { AFTER_SALE_REFUSAL_REASON } from '../../../connectors/sandbox/common/aftersale-steps.ts';
import { TOPICS } from '../../../connectors/taobao/inbound.ts';
import { injectedFaults, putFaults } from '../sandbox/fault-control.ts';
import { beijingOrder, startTaobao } from './conformance-target.ts';

// Refund steps at Taobao, from the apply: the seller reviews at 1 h, a return's goods leave the
// buyer at 2 h and reach the seller at 3 h, the money is paid at 5 h.
const HOUR = 3600_000;
const lifecycle = {
  shipAfterMs: HOUR, transitAfterMs: 2 * HOUR, deliverAfterMs: 24 * HOUR, topupResultAfterMs: 1_000,
  afterSaleReviewAfterMs: HOUR, returnReceivedAfterMs: 3 * HOUR, afterSaleRefundAfterMs: 5 * HOUR,
};
let run: Awaited<ReturnType<typeof startTaobao>>;
let n = 0;
const ref = () => `TB-AF-${Date.now().toString(36)}-${++n}`;

beforeAll(async () => {
  run = await startTaobao({ seed: 23, skus: 400, lifecycle });
});
afterAll(() => run?.stop());
beforeEach(async () => {
  await putFaults(run.baseUrl, {});
  run.receiver.pushes.length = 0;
});

/** A shipped purchase order of `units` of one SKU (a return needs goods out), and what one unit cost. */
async function shippedOrder(units: number) {
  const o = await run.connector.submitOrder(beijingOrder(ref(), run.orderedSku, units));
  await run.clock.advance(lifecycle.shipAfterMs);
  return { supplierOrderId: o.supplierOrderId, unitFen: o.lines[0]?.costFen ?? 0 };
}

const request = (supplierOrderId: string, type: AfterSaleRequest['type'], quantity: number): AfterSaleRequest => ({
  supplierOrderId, supplierSkuId: run.orderedSku, quantity, type, reason: '商品破损', photos: ['https://img.example.cn/rma/1.jpg'], reference: ref(),
});

/** The statuses pushed (fenxiao_RefundStatusChanged) for one refund, verified and parsed as the hub does, oldest first. */
function pushedSteps(afterSaleId: string): string[] {
  const inbound = run.connector.inbound as WebhookInbound;
  const events: SupplierEvent[] = run.receiver.pushes.flatMap((p) => inbound.parse(inbound.verify({ headers: {}, rawBody: p.rawBody }, p.receivedAt)));
  return events.flatMap((e) => (e.type === 'aftersale.updated' && e.afterSaleId === afterSaleId ? [e.status] : []));
}

/** Moves the clock to `ms` after the apply (the clock only moves forward); pushes due by then are delivered. */
async function at(appliedAtMs: number, ms: number): Promise<void> {
  await run.clock.advance(Math.max(0, appliedAtMs + ms - run.clock.now().getTime()));
}

describe('Taobao refunds on the sandbox clock', () => {
  it('takes a return through agreed, goods received and refunded, with the units and money the seller agreed', async () => {
    const { supplierOrderId, unitFen } = await shippedOrder(2);
    const applied = await run.connector.applyAfterSale(request(supplierOrderId, 'return', 2));
    const t0 = run.clock.now().getTime();
    expect(applied).toMatchObject({ supplierOrderId, status: 'pending' });

    await at(t0, HOUR + 1);
    expect(await run.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'approved', units: 2, refundFen: 2 * unitFen });
    await at(t0, 3 * HOUR + 1);
    expect((await run.connector.getAfterSale(applied.afterSaleId)).status).toBe('received');
    await at(t0, 5 * HOUR + 1);
    const refunded = await run.connector.getAfterSale(applied.afterSaleId);
    expect(refunded).toMatchObject({ afterSaleId: applied.afterSaleId, supplierOrderId, status: 'refunded', units: 2, refundFen: 2 * unitFen });
    expect(refunded.reason).toBeUndefined();
    // 1 applied, 2 agreed, 3 goods sent back, 12 goods received (refund being paid), 5 refunded.
    expect(pushedSteps(applied.afterSaleId)).toEqual(['pending', 'approved', 'approved', 'received', 'refunded']);
  });

  it('refunds a claim (money back only, with photos) without waiting for goods', async () => {
    const { supplierOrderId, unitFen } = await shippedOrder(1);
    const applied = await run.connector.applyAfterSale(request(supplierOrderId, 'refund', 1));
    const t0 = run.clock.now().getTime();
    await at(t0, 5 * HOUR + 1);
    expect(await run.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'refunded', units: 1, refundFen: unitFen });
    expect(pushedSteps(applied.afterSaleId)).toEqual(['pending', 'approved', 'refunded']);
  });
});

describe('Taobao after-sale faults', () => {
  it('afterSaleRefusal: the seller refuses (refund status 6) with its reason', async () => {
    await putFaults(run.baseUrl, { afterSaleRefusal: true });
    const { supplierOrderId } = await shippedOrder(1);
    const applied = await run.connector.applyAfterSale(request(supplierOrderId, 'return', 1));
    const t0 = run.clock.now().getTime();
    await at(t0, 6 * HOUR);
    const refused = await run.connector.getAfterSale(applied.afterSaleId);
    expect(refused).toMatchObject({ status: 'rejected', reason: AFTER_SALE_REFUSAL_REASON });
    expect(refused.refundFen).toBeUndefined();
    expect(pushedSteps(applied.afterSaleId)).toEqual(['pending', 'rejected']);
    expect((await injectedFaults(run.baseUrl)).afterSalesRefused).toBeGreaterThanOrEqual(1);
  });

  it('afterSalePartialRefund: the seller agrees to one unit fewer, or half the money of a single unit', async () => {
    await putFaults(run.baseUrl, { afterSalePartialRefund: true });
    const two = await shippedOrder(2);
    const one = await shippedOrder(1);
    const a = await run.connector.applyAfterSale(request(two.supplierOrderId, 'return', 2));
    const b = await run.connector.applyAfterSale(request(one.supplierOrderId, 'refund', 1));
    const t0 = run.clock.now().getTime();
    await at(t0, 5 * HOUR + 1);
    expect(await run.connector.getAfterSale(a.afterSaleId)).toMatchObject({ status: 'refunded', units: 1, refundFen: two.unitFen });
    expect(await run.connector.getAfterSale(b.afterSaleId)).toMatchObject({ status: 'refunded', units: 1, refundFen: Math.floor(one.unitFen / 2) });
    expect((await injectedFaults(run.baseUrl)).afterSalesPartlyRefunded).toBeGreaterThanOrEqual(2);
  });

  it('returnNeverReceived: agreed, the goods sent back, never received: it stays approved long after they were due', async () => {
    await putFaults(run.baseUrl, { returnNeverReceived: true });
    const { supplierOrderId, unitFen } = await shippedOrder(1);
    const applied = await run.connector.applyAfterSale(request(supplierOrderId, 'return', 1));
    const t0 = run.clock.now().getTime();
    await at(t0, 3 * 24 * HOUR);
    expect(await run.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'approved', units: 1, refundFen: unitFen });
    expect(pushedSteps(applied.afterSaleId)).toEqual(['pending', 'approved', 'approved']);
    expect((await injectedFaults(run.baseUrl)).returnsNeverReceived).toBeGreaterThanOrEqual(1);
  });

  it('lostAfterSaleCallbacks: no refund push reaches the hub, while getAfterSale shows every step', async () => {
    await putFaults(run.baseUrl, { lostAfterSaleCallbacks: true });
    const { supplierOrderId, unitFen } = await shippedOrder(1);
    const applied = await run.connector.applyAfterSale(request(supplierOrderId, 'return', 1));
    const t0 = run.clock.now().getTime();
    await at(t0, HOUR + 1);
    expect((await run.connector.getAfterSale(applied.afterSaleId)).status).toBe('approved');
    await at(t0, 5 * HOUR + 1);
    expect(await run.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'refunded', refundFen: unitFen });
    expect(pushedSteps(applied.afterSaleId)).toEqual([]);
    expect(run.receiver.pushes.filter((p) => p.body.topic === TOPICS.refundChanged)).toEqual([]);
    // Order pushes still go out: only after-sale steps are lost.
    expect(run.receiver.pushes.filter((p) => p.body.topic === TOPICS.orderShipped).length).toBeGreaterThan(0);
    expect((await injectedFaults(run.baseUrl)).afterSaleCallbacksLost).toBeGreaterThanOrEqual(5);
  });
});
