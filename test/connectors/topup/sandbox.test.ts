import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebhookInbound } from '../../../connectors/connector.ts';
import { defaultLifecycle } from '../../../connectors/sandbox/common/context.ts';
import { outcomeOf } from '../../../connectors/sandbox/topup/lifecycle.ts';
import { TopupState } from '../../../connectors/sandbox/topup/state.ts';
import { type Harness, startHarness } from './sandbox-harness.ts';

const RESULT_MS = defaultLifecycle.topupResultAfterMs;
const phone = (reference: string, rechargeAccount = '13800138000', sku = 'CMCC-50') => ({ reference, lines: [{ supplierSkuId: sku, quantity: 1 }], rechargeAccount });

let h: Harness;
let inbound: WebhookInbound;
beforeEach(async () => {
  h = await startHarness();
  inbound = h.connector.inbound as WebhookInbound;
});
afterEach(() => h.stop());

const charges = (reference: string) => h.sandbox.ledger().filter((e) => e.kind === 'charge' && e.customerOrderNo === reference);

describe('top-up sandbox: order lifecycle on the virtual clock', () => {
  it('keeps a phone top-up processing until topupResultAfterMs has passed, then issues it and calls back once, signed', async () => {
    const order = await h.connector.submitOrder(phone('LC-1'));
    expect(order.status).toBe('processing');
    await h.clock.advance(RESULT_MS - 1_000);
    expect((await h.connector.findOrder('LC-1'))?.status).toBe('processing');
    expect(h.receiver.posts).toHaveLength(0);

    await h.clock.advance(1_000);
    expect(h.receiver.posts.map((p) => p.provider)).toEqual(['topup-fulu']);
    const [message] = h.receiver.stored;
    expect(message?.eventId).toBe(`${order.supplierOrderId}:success`);
    expect(inbound.parse(message ?? { eventId: '', eventType: '', raw: '' })).toEqual([
      { type: 'order.issued', supplierOrderId: order.supplierOrderId, reference: 'LC-1', at: expect.any(String) },
    ]);
    expect(await h.connector.getOrder(order.supplierOrderId)).toMatchObject({ status: 'issued', reference: 'LC-1' });
    expect(charges('LC-1')).toHaveLength(1);
  });

  it('issues voucher codes for a card order, encrypted on the wire and plain from the connector', async () => {
    const order = await h.connector.submitOrder({ reference: 'LC-2', lines: [{ supplierSkuId: 'STARBUCKS-CARD-10', quantity: 2 }] });
    await h.clock.advance(RESULT_MS);
    const issued = await h.connector.getOrder(order.supplierOrderId);
    expect(issued.status).toBe('issued');
    expect(issued.vouchers).toHaveLength(2);
    const wire = (await h.raw('order.info.get', { customer_order_no: 'LC-2' })).data as { cards: { card_number: string }[] };
    expect(wire.cards.map((c) => c.card_number)).not.toContain(issued.vouchers[0]?.code);
    expect(issued.vouchers[0]?.code).toMatch(/^\d{16}$/);
    expect(h.sandbox.ledger()).toEqual([expect.objectContaining({ kind: 'charge', customerOrderNo: 'LC-2', amountFen: 2 * (issued.lines[0]?.costFen ?? 0) })]);
  });

  it('fails a recharge to a malformed account, refunds it and calls back failed', async () => {
    const before = h.sandbox.balanceFen();
    const order = await h.connector.submitOrder(phone('LC-3', '12345'));
    expect(h.sandbox.balanceFen()).toBeLessThan(before);
    await h.clock.advance(RESULT_MS);
    expect(await h.connector.getOrder(order.supplierOrderId)).toMatchObject({ status: 'failed', failureReason: '充值号码格式错误' });
    expect(h.sandbox.ledger().map((e) => e.kind)).toEqual(['charge', 'refund']);
    expect(h.sandbox.balanceFen()).toBe(before);
    const [message] = h.receiver.stored;
    expect(message && inbound.parse(message)).toEqual([expect.objectContaining({ type: 'order.failed', reason: '充值号码格式错误' })]);
  });

  it('fails a seeded share of well-formed recharges, the same ones for the same seed', () => {
    const state = new TopupState('topup-fulu', 7, 1_000_000_000);
    const product = state.products.find((p) => p.product_id === 'CMCC-50');
    if (!product) throw new Error('CMCC-50 missing');
    const orders = Array.from({ length: 200 }, (_, i) => state.charge({ customerOrderNo: `R-${i}`, product, chargeAccount: '13800138000', buyNum: 1, at: new Date() }));
    const failedAt = (seed: number) => orders.filter((o) => !outcomeOf(o, seed, 0.1).ok).map((o) => o.customerOrderNo);
    expect(failedAt(7).length).toBeGreaterThan(5);
    expect(failedAt(7).length).toBeLessThan(40);
    expect(failedAt(7)).toEqual(failedAt(7));
    expect(failedAt(8)).not.toEqual(failedAt(7));
  });
});

describe('top-up sandbox: callbacks', () => {
  it('calls back again until the hub answers the body success', async () => {
    h.receiver.failFirst = 2;
    await h.connector.submitOrder(phone('CB-1'));
    await h.clock.advance(RESULT_MS);
    expect(h.receiver.posts).toHaveLength(3);
    expect(h.receiver.stored).toHaveLength(1);
    expect(h.sandbox.callbacks.attempts.map((a) => a.status)).toEqual([200, 200, 200]);
  });

  it('a duplicated callback carries the same eventId, so the hub stores it once', async () => {
    h.sandbox.faults.set({ callbacks: { duplicateRate: 1 } });
    await h.connector.submitOrder(phone('CB-2'));
    await h.clock.advance(RESULT_MS);
    expect(h.receiver.stored).toHaveLength(2);
    expect(new Set(h.receiver.stored.map((m) => m.eventId)).size).toBe(1);
  });

  it('may never call back (dropped): polling order.info.get finds the result', async () => {
    h.sandbox.faults.set({ callbacks: { dropRate: 1 } });
    await h.connector.submitOrder(phone('CB-3'));
    await h.clock.advance(RESULT_MS);
    expect(h.receiver.posts).toHaveLength(0);
    expect((await h.connector.findOrder('CB-3'))?.status).toBe('issued');
  });
});

describe('top-up sandbox: charged exactly once', () => {
  it('a lost answer is an unknown outcome; findOrder finds the order and a resubmit answers it without a second charge', async () => {
    h.sandbox.faults.set({ unknownOutcomeNext: 1 });
    const err = await h.connector.submitOrder(phone('ONCE-1')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'timeout', outcomeUnknown: true });
    const found = await h.connector.findOrder('ONCE-1');
    const again = await h.connector.submitOrder(phone('ONCE-1'));
    expect(again.supplierOrderId).toBe(found?.supplierOrderId);
    expect(charges('ONCE-1')).toHaveLength(1);
    expect(h.sandbox.ordersFor('ONCE-1')).toBe(1);
  });

  it('concurrent submits of one reference create one order and one charge', async () => {
    const orders = await Promise.all(Array.from({ length: 5 }, () => h.connector.submitOrder(phone('ONCE-2'))));
    expect(new Set(orders.map((o) => o.supplierOrderId)).size).toBe(1);
    expect(charges('ONCE-2')).toHaveLength(1);
  });

  it('a repeat with another product still answers the existing order (2003), charging nothing more', async () => {
    const first = await h.connector.submitOrder(phone('ONCE-3'));
    const repeat = await h.raw('order.direct.add', { customer_order_no: 'ONCE-3', product_id: 'CMCC-100', charge_account: '13800138000', buy_num: 1 });
    expect(repeat).toMatchObject({ code: '2003', data: { order_id: first.supplierOrderId, product_id: 'CMCC-50' } });
    expect(charges('ONCE-3')).toHaveLength(1);
  });
});
