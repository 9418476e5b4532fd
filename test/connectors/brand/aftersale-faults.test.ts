import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AfterSaleRequest, SupplierEvent } from '../../../connectors/connector.ts';
import { CARRIERS } from '../../../src/domain/supplier-shapes.ts';
import { AFTER_SALE_REFUSAL_REASON } from '../../../connectors/sandbox/common/aftersale-steps.ts';
import { summarize } from '../../../connectors/sandbox/common/inspect.ts';
import { renderSandboxPage } from '../../../connectors/sandbox/common/ui.ts';
import { injectedFaults, putFaults } from '../sandbox/fault-control.ts';
import { BEIJING, type BrandRig, findSku, startBrandRig } from './harness.ts';

// Return steps at the brand, from the apply: reviewed at 1 h, goods back at 3 h, refunded (or the
// exchange's replacement shipped) at 5 h.
const HOUR = 3600_000;
const LIFECYCLE = {
  shipAfterMs: HOUR, transitAfterMs: 2 * HOUR, deliverAfterMs: 24 * HOUR,
  afterSaleReviewAfterMs: HOUR, returnReceivedAfterMs: 3 * HOUR, afterSaleRefundAfterMs: 5 * HOUR,
};
const SEED = 29;
const SKUS = 400;
let rig: BrandRig;
let n = 0;
const ref = () => `BR-AF-${Date.now().toString(36)}-${++n}`;
const goods = () => findSku('brand-acme', { seed: SEED, skus: SKUS, kind: 'physical' });

beforeAll(async () => {
  rig = await startBrandRig({ id: 'brand-acme', seed: SEED, skus: SKUS, lifecycle: LIFECYCLE });
});
afterAll(() => rig.stop());
beforeEach(async () => {
  await putFaults(rig.baseUrl, {});
  rig.hooks.length = 0;
});

/** A shipped brand order of `units` of one product (returns need goods out), and what one unit cost. */
async function shippedOrder(units: number) {
  const o = await rig.connector.submitOrder({ reference: ref(), lines: [{ supplierSkuId: goods(), quantity: units }], recipient: BEIJING });
  await rig.clock.advance(LIFECYCLE.shipAfterMs);
  return { supplierOrderId: o.supplierOrderId, unitFen: o.lines[0]?.costFen ?? 0 };
}

const request = (supplierOrderId: string, type: AfterSaleRequest['type'], quantity: number): AfterSaleRequest => ({
  supplierOrderId, supplierSkuId: goods(), quantity, type, reason: '商品破损', photos: ['https://img.example.cn/rma/2.jpg'], reference: ref(),
});

/** The return events (type and neutral status) the hub got by webhook for one return, verified as the hub verifies them. */
function hooked(afterSaleId: string): { type: string; status: string }[] {
  const inbound = rig.connector.inbound;
  if (inbound.mode !== 'webhook') throw new Error('webhook inbound expected');
  return rig.hooks.flatMap((h) => {
    const type = (JSON.parse(h.rawBody) as { type: string }).type;
    const events: SupplierEvent[] = inbound.parse(inbound.verify({ headers: h.headers, rawBody: h.rawBody }, new Date()));
    return events.flatMap((e) => (e.type === 'aftersale.updated' && e.afterSaleId === afterSaleId ? [{ type, status: e.status }] : []));
  });
}

/** Moves the clock to `ms` after the apply (the clock only moves forward); webhooks due by then are delivered. */
async function at(appliedAtMs: number, ms: number): Promise<void> {
  await rig.clock.advance(Math.max(0, appliedAtMs + ms - rig.clock.now().getTime()));
}

describe('brand returns on the sandbox clock', () => {
  it('takes a return through approved, received and refunded, with the units and money the brand grants', async () => {
    const { supplierOrderId, unitFen } = await shippedOrder(2);
    const applied = await rig.connector.applyAfterSale(request(supplierOrderId, 'return', 2));
    const t0 = rig.clock.now().getTime();
    expect(applied).toMatchObject({ supplierOrderId, status: 'pending' });

    await at(t0, HOUR + 1);
    expect(await rig.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'approved', units: 2, refundFen: 2 * unitFen });
    await at(t0, 3 * HOUR + 1);
    expect((await rig.connector.getAfterSale(applied.afterSaleId)).status).toBe('received');
    await at(t0, 5 * HOUR + 1);
    const refunded = await rig.connector.getAfterSale(applied.afterSaleId);
    expect(refunded).toMatchObject({ afterSaleId: applied.afterSaleId, supplierOrderId, status: 'refunded', units: 2, refundFen: 2 * unitFen });
    expect(refunded.reason).toBeUndefined();
    expect(hooked(applied.afterSaleId)).toEqual([
      { type: 'return.approved', status: 'approved' },
      { type: 'return.received', status: 'received' },
      { type: 'return.refunded', status: 'refunded' },
    ]);
  });

  it('ends an exchange with a replacement parcel (a carrier the hub names, a tracking number) and no money', async () => {
    const { supplierOrderId } = await shippedOrder(1);
    const applied = await rig.connector.applyAfterSale(request(supplierOrderId, 'exchange', 1));
    const t0 = rig.clock.now().getTime();
    await at(t0, 3 * HOUR + 1);
    expect(await rig.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'received', units: 1 });
    await at(t0, 5 * HOUR + 1);
    const done = await rig.connector.getAfterSale(applied.afterSaleId);
    expect(done).toMatchObject({ status: 'completed', units: 1, replacement: { trackingNo: expect.stringMatching(/^[A-Z0-9]{8,}$/) } });
    expect(CARRIERS).toContain(done.replacement?.carrier);
    expect(done.refundFen).toBeUndefined();
    expect(hooked(applied.afterSaleId).map((e) => e.type)).toEqual(['return.approved', 'return.received', 'return.completed']);
  });

  it('refunds a claim (type refund, with photos) without waiting for goods', async () => {
    const { supplierOrderId, unitFen } = await shippedOrder(1);
    const applied = await rig.connector.applyAfterSale(request(supplierOrderId, 'refund', 1));
    const t0 = rig.clock.now().getTime();
    await at(t0, 5 * HOUR + 1);
    expect(await rig.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'refunded', units: 1, refundFen: unitFen });
    expect(hooked(applied.afterSaleId).map((e) => e.status)).toEqual(['approved', 'refunded']);
  });
});

describe('brand after-sale faults', () => {
  it('afterSaleRefusal: the brand rejects the return with its reason (return.rejected)', async () => {
    await putFaults(rig.baseUrl, { afterSaleRefusal: true });
    // The index and the page show the fault in force.
    expect(summarize(rig.sandbox).faultsInForce).toEqual({ afterSaleRefusal: true });
    expect(renderSandboxPage([rig.sandbox], rig.clock, { origin: 'http://127.0.0.1:4100' })).toContain('Faults in force: afterSaleRefusal true.');
    const { supplierOrderId } = await shippedOrder(1);
    const applied = await rig.connector.applyAfterSale(request(supplierOrderId, 'return', 1));
    const t0 = rig.clock.now().getTime();
    await at(t0, 6 * HOUR);
    const refused = await rig.connector.getAfterSale(applied.afterSaleId);
    expect(refused).toMatchObject({ status: 'rejected', reason: AFTER_SALE_REFUSAL_REASON });
    expect(refused.refundFen).toBeUndefined();
    expect(hooked(applied.afterSaleId)).toEqual([{ type: 'return.rejected', status: 'rejected' }]);
    expect((await injectedFaults(rig.baseUrl)).afterSalesRefused).toBeGreaterThanOrEqual(1);
  });

  it('afterSalePartialRefund: the brand accepts one unit fewer, or refunds half of a single unit', async () => {
    await putFaults(rig.baseUrl, { afterSalePartialRefund: true });
    const two = await shippedOrder(2);
    const one = await shippedOrder(1);
    const a = await rig.connector.applyAfterSale(request(two.supplierOrderId, 'return', 2));
    const b = await rig.connector.applyAfterSale(request(one.supplierOrderId, 'return', 1));
    const t0 = rig.clock.now().getTime();
    await at(t0, 5 * HOUR + 1);
    expect(await rig.connector.getAfterSale(a.afterSaleId)).toMatchObject({ status: 'refunded', units: 1, refundFen: two.unitFen });
    expect(await rig.connector.getAfterSale(b.afterSaleId)).toMatchObject({ status: 'refunded', units: 1, refundFen: Math.floor(one.unitFen / 2) });
    expect((await injectedFaults(rig.baseUrl)).afterSalesPartlyRefunded).toBeGreaterThanOrEqual(2);
  });

  it('returnNeverReceived: approved, then the goods never arrive: it stays approved long after they were due', async () => {
    await putFaults(rig.baseUrl, { returnNeverReceived: true });
    const { supplierOrderId, unitFen } = await shippedOrder(1);
    const applied = await rig.connector.applyAfterSale(request(supplierOrderId, 'return', 1));
    const t0 = rig.clock.now().getTime();
    await at(t0, 3 * 24 * HOUR);
    expect(await rig.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'approved', units: 1, refundFen: unitFen });
    expect(hooked(applied.afterSaleId).map((e) => e.status)).toEqual(['approved']);
    expect((await injectedFaults(rig.baseUrl)).returnsNeverReceived).toBeGreaterThanOrEqual(1);
  });

  it('lostAfterSaleCallbacks: no return webhook reaches the hub, while getAfterSale shows every step', async () => {
    await putFaults(rig.baseUrl, { lostAfterSaleCallbacks: true });
    const { supplierOrderId, unitFen } = await shippedOrder(1);
    const applied = await rig.connector.applyAfterSale(request(supplierOrderId, 'return', 1));
    const t0 = rig.clock.now().getTime();
    await at(t0, HOUR + 1);
    expect((await rig.connector.getAfterSale(applied.afterSaleId)).status).toBe('approved');
    await at(t0, 5 * HOUR + 1);
    expect(await rig.connector.getAfterSale(applied.afterSaleId)).toMatchObject({ status: 'refunded', refundFen: unitFen });
    expect(hooked(applied.afterSaleId)).toEqual([]);
    const types = rig.hooks.map((h) => (JSON.parse(h.rawBody) as { type: string }).type);
    expect(types.filter((t) => t.startsWith('return.'))).toEqual([]);
    // Order webhooks still go out: only after-sale steps are lost.
    expect(types).toContain('order.shipped');
    expect((await injectedFaults(rig.baseUrl)).afterSaleCallbacksLost).toBeGreaterThanOrEqual(3);
  });
});
