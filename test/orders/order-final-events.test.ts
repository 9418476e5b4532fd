import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LineEventInput } from '../../src/mall-webhooks/event-schemas.ts';
import { addLedger, loadLine, setLineStatus } from '../../src/orders/line-store.ts';
import { recordCancelled } from '../../workflows/lines/cancelled.ts';
import { recordFailed } from '../../workflows/lines/failed.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { seedMall, seedOrder } from '../support/seed-orders.ts';

// The order's final event (order.completed, order.partially_failed, order.failed, order.cancelled):
// written by the line move that gives the order that status, after the move's own events, once.

let hub: TestHub;
let mallId: string;
beforeAll(async () => {
  hub = await startTestHub();
  mallId = await seedMall(hub);
});
afterAll(() => hub?.close());

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const events = (orderId: string) => sql<{ seq: number; type: string; data: Record<string, any> }[]>('select seq, type, data from mall_event where order_id = ? order by seq', [orderId]);
const types = async (orderId: string) => (await events(orderId)).map((e) => e.type);
const tx = <T>(fn: (tx: Parameters<Parameters<TestHub['deps']['orm']['em']['transactional']>[0]>[0]) => Promise<T>) => hub.deps.orm.em.fork().transactional(fn);
const move = (order: { orderId: string }, lineId: string, status: Parameters<typeof setLineStatus>[3]['status'], report: LineEventInput[] = [], qty: { qtyFulfilled?: number } = {}) =>
  tx((t) => setLineStatus(t, hub.clock, { id: lineId, orderId: order.orderId }, { status, ...qty }, report));
const issued: LineEventInput = { type: 'line.issued', data: { source: 'topup-fulu', voucherCount: 0, vouchers: [] } };
const delivered: LineEventInput = { type: 'line.delivered', data: { source: 'jd', shipments: [{ carrier: 'JD', trackingNo: 'JDVA1', status: 'delivered' }] } };

/** An after-sales refund of a whole line: the money first, then the move. */
async function refundLine(order: { orderId: string }, lineId: string) {
  await tx(async (t) => {
    const line = await loadLine(t, lineId);
    await addLedger(t, hub.clock, line, { entry: 'refund', units: line.quantity, points: -line.pointsPaid, fen: -line.cashPaidFen, reason: 'after-sales return' });
    return setLineStatus(t, hub.clock, line, { status: 'refunded' });
  });
}

describe('the order’s final event', () => {
  it('comes once when the last line settles, after that line’s own events, with every line and the totals', async () => {
    const order = await seedOrder(hub, mallId, { lines: 2 });
    const [a, b] = order.lineIds as [string, string];
    expect(await move(order, a, 'issued', [issued], { qtyFulfilled: 1 })).toEqual({ from: 'accepted', to: 'in_progress' });
    expect(await types(order.orderId)).toEqual(['line.issued']);
    await tx((t) => recordFailed(t, hub.clock, b, 'topup-fulu: recharge failed'));
    expect(await types(order.orderId)).toEqual(['line.issued', 'line.failed', 'refund.required', 'order.partially_failed']);
    const final = (await events(order.orderId)).at(-1);
    expect(final).toEqual({
      seq: 4,
      type: 'order.partially_failed',
      data: {
        orderId: order.orderId,
        mallOrderId: order.mallOrderId,
        status: 'partially_failed',
        previousStatus: 'in_progress',
        lines: [
          { lineId: '1', skuId: 'sku-x', kind: 'virtual', status: 'issued', quantity: 1, quantityFulfilled: 1, quantityFailed: 0, quantityCancelled: 0, pointsPaid: 100, cashPaidFen: 0, refundedPoints: 0, refundedCashFen: 0 },
          { lineId: '2', skuId: 'sku-x', kind: 'virtual', status: 'failed', quantity: 1, quantityFulfilled: 0, quantityFailed: 1, quantityCancelled: 0, pointsPaid: 100, cashPaidFen: 0, refundedPoints: 100, refundedCashFen: 0 },
        ],
        totals: { lines: 2, quantity: 2, quantityFulfilled: 1, quantityFailed: 1, quantityCancelled: 0, pointsPaid: 200, cashPaidFen: 0, refundedPoints: 100, refundedCashFen: 0 },
      },
    });
    // Moves that leave the order as it is say nothing more: a repeated failure (guarded), a line staying issued.
    await tx((t) => recordFailed(t, hub.clock, b, 'again'));
    expect(await move(order, a, 'issued')).toEqual({ from: 'partially_failed', to: 'partially_failed' });
    expect(await types(order.orderId)).toHaveLength(4);
  });

  it('says completed, then partially_failed and failed as after-sales refunds move a completed order on, each once', async () => {
    const order = await seedOrder(hub, mallId, { lines: 2, kind: 'physical' });
    const [a, b] = order.lineIds as [string, string];
    await move(order, a, 'delivered', [delivered], { qtyFulfilled: 1 });
    await move(order, b, 'delivered', [delivered], { qtyFulfilled: 1 });
    expect(await types(order.orderId)).toEqual(['line.delivered', 'line.delivered', 'order.completed']);
    await refundLine(order, a);
    await refundLine(order, b);
    const finals = (await events(order.orderId)).filter((e) => e.type.startsWith('order.'));
    expect(finals.map((e) => [e.type, e.data.previousStatus])).toEqual([
      ['order.completed', 'in_progress'],
      ['order.partially_failed', 'completed'],
      ['order.failed', 'partially_failed'],
    ]);
    expect(finals.at(-1)?.data.totals).toMatchObject({ refundedPoints: 200, quantity: 2 });
    // Failed is final: nothing moves it, so nothing more is said.
    expect(await move(order, a, 'refunded')).toEqual({ from: 'failed', to: 'failed' });
    expect(finals).toHaveLength((await types(order.orderId)).filter((t) => t.startsWith('order.')).length);
  });

  it('says cancelled when the mall’s cancels leave no line standing, with what each line refunds', async () => {
    const order = await seedOrder(hub, mallId, { lines: 2 });
    const [a, b] = order.lineIds as [string, string];
    await tx((t) => recordCancelled(t, hub.clock, a, { reason: '会员取消兑换' }));
    expect(await types(order.orderId)).toEqual(['line.cancelled']);
    await tx((t) => recordCancelled(t, hub.clock, b, { reason: '会员取消兑换' }));
    expect(await types(order.orderId)).toEqual(['line.cancelled', 'line.cancelled', 'order.cancelled']);
    const final = (await events(order.orderId)).at(-1);
    expect(final?.data).toMatchObject({ status: 'cancelled', previousStatus: 'in_progress', totals: { quantityCancelled: 2, refundedPoints: 200 } });
  });

  it('goes straight from accepted for a one-line order, and a cancelled line beside a delivered one is still completed', async () => {
    const one = await seedOrder(hub, mallId, { lines: 1 });
    await tx((t) => recordFailed(t, hub.clock, one.lineIds[0] as string, 'no source has it'));
    expect(await types(one.orderId)).toEqual(['line.failed', 'refund.required', 'order.failed']);
    expect((await events(one.orderId)).at(-1)?.data.previousStatus).toBe('accepted');

    const mixed = await seedOrder(hub, mallId, { lines: 2, kind: 'physical' });
    await tx((t) => recordCancelled(t, hub.clock, mixed.lineIds[0] as string, { reason: 'changed my mind' }));
    await move(mixed, mixed.lineIds[1] as string, 'delivered', [delivered], { qtyFulfilled: 1 });
    expect(await types(mixed.orderId)).toEqual(['line.cancelled', 'line.delivered', 'order.completed']);
  });
});
