import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AfterSaleRequest, PollInbound } from '../../../connectors/connector.ts';
import { JD_MESSAGE as MSG } from '../../../connectors/jd/methods.ts';
import { AFTER_SALE_REFUSAL_REASON } from '../../../connectors/sandbox/common/aftersale-steps.ts';
import { injectedFaults, putFaults } from '../sandbox/fault-control.ts';
import { beijingOrder, startJd, wellStockedSkus } from './conformance-target.ts';

// After-sale steps at JD, from the apply: reviewed at 1 h, goods back at 3 h, refunded (or the
// exchange's replacement shipped) at 5 h, a refunded service order closed at 6 h.
const HOUR = 3600_000;
const lifecycle = {
  shipAfterMs: HOUR, transitAfterMs: 2 * HOUR, deliverAfterMs: 24 * HOUR, topupResultAfterMs: 1_000,
  afterSaleReviewAfterMs: HOUR, returnReceivedAfterMs: 3 * HOUR, afterSaleRefundAfterMs: 5 * HOUR,
};
const SEED = 19;
const SIZE = 600;
let jd: Awaited<ReturnType<typeof startJd>>;
let inbound: PollInbound;
let n = 0;
const ref = () => `JD-AF-${Date.now().toString(36)}-${++n}`;
const [sku = ''] = wellStockedSkus(SEED, SIZE, 1);

beforeAll(async () => {
  jd = await startJd({ seed: SEED, skus: SIZE, lifecycle });
  if (jd.connector.inbound.mode !== 'poll') throw new Error('JD is polled');
  inbound = jd.connector.inbound;
});
afterAll(() => jd.stop());
beforeEach(async () => {
  await putFaults(jd.baseUrl, {});
  for (let left = await inbound.fetch([MSG.AFTER_SALE]); left.length; left = await inbound.fetch([MSG.AFTER_SALE])) await inbound.acknowledge(left.map((m) => m.eventId));
});

/** A confirmed JD order of `units` of one SKU, and what one unit cost. */
async function confirmedOrder(units: number) {
  const o = await jd.connector.submitOrder(beijingOrder(ref(), [sku], units));
  await jd.connector.confirmOrder(o.supplierOrderId);
  return { supplierOrderId: o.supplierOrderId, unitFen: o.lines[0]?.costFen ?? 0 };
}

const request = (supplierOrderId: string, type: AfterSaleRequest['type'], quantity: number): AfterSaleRequest => ({
  supplierOrderId, supplierSkuId: sku, quantity, type, reason: '质量问题', photos: ['https://img.example.cn/afs/1.jpg'], reference: ref(),
});

/** The statuses of the after-sale messages (type 31) JD's pool holds for one service order, oldest first. */
async function poolSteps(afterSaleId: string): Promise<string[]> {
  const events = (await inbound.fetch([MSG.AFTER_SALE])).flatMap((m) => inbound.parse(m));
  return events.flatMap((e) => (e.type === 'aftersale.updated' && e.afterSaleId === afterSaleId ? [e.status] : []));
}

/** Moves the clock to `ms` after the apply (the clock only moves forward). */
async function at(appliedAtMs: number, ms: number): Promise<void> {
  const ahead = appliedAtMs + ms - jd.clock.now().getTime();
  if (ahead > 0) await jd.clock.advance(ahead);
}

describe('JD after-sales on the sandbox clock', () => {
  it('takes a return through approved, received, refunded and done, with the units and money JD grants', async () => {
    const { supplierOrderId, unitFen } = await confirmedOrder(2);
    const applied = await jd.connector.applyAfterSale(request(supplierOrderId, 'return', 2));
    const t0 = jd.clock.now().getTime();
    expect(applied).toMatchObject({ supplierOrderId, status: 'pending' });
    expect(applied.refundFen).toBeUndefined();

    await at(t0, HOUR + 1);
    expect(await jd.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'approved', units: 2, refundFen: 2 * unitFen });
    await at(t0, 3 * HOUR + 1);
    expect((await jd.connector.getAfterSale(applied.afterSaleId)).status).toBe('received');
    await at(t0, 5 * HOUR + 1);
    expect(await jd.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'refunded', units: 2, refundFen: 2 * unitFen });
    await at(t0, 6 * HOUR + 1);
    const done = await jd.connector.getAfterSale(applied.afterSaleId);
    expect(done).toMatchObject({ afterSaleId: applied.afterSaleId, supplierOrderId, status: 'completed', units: 2, refundFen: 2 * unitFen });
    expect(done.reason).toBeUndefined();
    expect(done.replacement).toBeUndefined();
    expect(await poolSteps(applied.afterSaleId)).toEqual(['pending', 'approved', 'received', 'refunded', 'completed']);
  });

  it('ends an exchange with a replacement parcel (JD Logistics, its waybill) and no money', async () => {
    const { supplierOrderId } = await confirmedOrder(1);
    const applied = await jd.connector.applyAfterSale(request(supplierOrderId, 'exchange', 1));
    const t0 = jd.clock.now().getTime();
    await at(t0, 3 * HOUR + 1);
    expect((await jd.connector.getAfterSale(applied.afterSaleId)).replacement).toBeUndefined();
    await at(t0, 5 * HOUR + 1);
    const done = await jd.connector.getAfterSale(applied.afterSaleId);
    expect(done).toMatchObject({ status: 'completed', units: 1, replacement: { carrier: 'JD', trackingNo: expect.stringMatching(/^JDVC\d{10}$/) } });
    expect(done.refundFen).toBeUndefined();
    expect(await poolSteps(applied.afterSaleId)).toEqual(['pending', 'approved', 'received', 'completed']);
  });
});

describe('JD after-sale faults', () => {
  it('afterSaleRefusal: JD refuses at review (step 30) with its note as the reason', async () => {
    await putFaults(jd.baseUrl, { afterSaleRefusal: true });
    const { supplierOrderId } = await confirmedOrder(1);
    const req = request(supplierOrderId, 'return', 1);
    const applied = await jd.connector.applyAfterSale(req);
    const t0 = jd.clock.now().getTime();
    await at(t0, 6 * HOUR + 1);
    const refused = await jd.connector.getAfterSale(applied.afterSaleId);
    expect(refused).toMatchObject({ status: 'rejected', reason: AFTER_SALE_REFUSAL_REASON });
    expect(refused.refundFen).toBeUndefined();
    expect(await poolSteps(applied.afterSaleId)).toEqual(['pending', 'rejected']);
    // A repeated apply answers the same refused service order.
    expect(await jd.connector.applyAfterSale(req)).toMatchObject({ afterSaleId: applied.afterSaleId, status: 'rejected', reason: AFTER_SALE_REFUSAL_REASON });
    expect((await injectedFaults(jd.baseUrl)).afterSalesRefused).toBeGreaterThanOrEqual(1);
  });

  it('afterSalePartialRefund: JD accepts one unit fewer, or refunds half of a single unit', async () => {
    await putFaults(jd.baseUrl, { afterSalePartialRefund: true });
    const two = await confirmedOrder(2);
    const one = await confirmedOrder(1);
    const a = await jd.connector.applyAfterSale(request(two.supplierOrderId, 'return', 2));
    const b = await jd.connector.applyAfterSale(request(one.supplierOrderId, 'return', 1));
    const t0 = jd.clock.now().getTime();
    await at(t0, 6 * HOUR + 1);
    expect(await jd.connector.getAfterSale(a.afterSaleId)).toMatchObject({ status: 'completed', units: 1, refundFen: two.unitFen });
    expect(await jd.connector.getAfterSale(b.afterSaleId)).toMatchObject({ status: 'completed', units: 1, refundFen: Math.floor(one.unitFen / 2) });
    expect((await injectedFaults(jd.baseUrl)).afterSalesPartlyRefunded).toBeGreaterThanOrEqual(2);
  });

  it('returnNeverReceived: approved, then the goods never come back: it stays approved long after they were due', async () => {
    await putFaults(jd.baseUrl, { returnNeverReceived: true });
    const { supplierOrderId, unitFen } = await confirmedOrder(1);
    const applied = await jd.connector.applyAfterSale(request(supplierOrderId, 'return', 1));
    const t0 = jd.clock.now().getTime();
    await at(t0, 3 * 24 * HOUR);
    expect(await jd.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'approved', units: 1, refundFen: unitFen });
    expect(await poolSteps(applied.afterSaleId)).toEqual(['pending', 'approved']);
    expect((await injectedFaults(jd.baseUrl)).returnsNeverReceived).toBeGreaterThanOrEqual(1);
  });

  it('lostAfterSaleCallbacks: no message 31 reaches the pool, while getAfterSale shows every step', async () => {
    await putFaults(jd.baseUrl, { lostAfterSaleCallbacks: true });
    const { supplierOrderId, unitFen } = await confirmedOrder(1);
    const applied = await jd.connector.applyAfterSale(request(supplierOrderId, 'return', 1));
    const t0 = jd.clock.now().getTime();
    await at(t0, HOUR + 1);
    expect((await jd.connector.getAfterSale(applied.afterSaleId)).status).toBe('approved');
    await at(t0, 6 * HOUR + 1);
    expect(await jd.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'completed', refundFen: unitFen });
    expect(await poolSteps(applied.afterSaleId)).toEqual([]);
    expect((await injectedFaults(jd.baseUrl)).afterSaleCallbacksLost).toBeGreaterThanOrEqual(5);
    // Order messages still flow: only after-sale steps are lost.
    await putFaults(jd.baseUrl, {});
    const other = await confirmedOrder(1);
    await jd.clock.advance(lifecycle.shipAfterMs);
    const shipped = (await inbound.fetch([MSG.SHIPPED])).flatMap((m) => inbound.parse(m));
    expect(shipped.some((e) => e.type === 'order.shipped' && e.supplierOrderId === other.supplierOrderId)).toBe(true);
  });
});
