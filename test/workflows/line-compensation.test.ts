import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../connectors/sandbox/common/context.ts';
import { JD_METHODS as M } from '../../connectors/jd/methods.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { runnerDeps } from '../../src/workflow-runner.ts';
import { type CompensationContext, holdRun } from '../../workflows/engine/index.ts';
import { awaitShipmentStep } from '../../workflows/lines/steps/await-shipment.ts';
import { confirmOrderStep } from '../../workflows/lines/steps/confirm-order.ts';
import { failLineStep } from '../../workflows/lines/steps/fail-line.ts';
import { pickSourceStep } from '../../workflows/lines/steps/pick-source.ts';
import { pollIssuanceStep } from '../../workflows/lines/steps/poll-issuance.ts';
import { submitIssuanceStep } from '../../workflows/lines/steps/submit-issuance.ts';
import { cancelPlacedOrder, submitOrderStep } from '../../workflows/lines/steps/submit-order.ts';
import { itemFrom as itemFromCatalog } from '../support/catalog-items.ts';
import { ADMIN_TOKEN, json, type TestHub } from '../support/hub.ts';
import { settleOrder } from '../support/settle.ts';
import { startWorkflowHub, type WorkflowHub } from '../support/workflow-hub.ts';

// The line workflows' compensations against the sandboxes: what a run that fails for good, or an
// operator giving one up, undoes at the supplier and tells the mall.
let wf: WorkflowHub;
let hub: TestHub;
let mall: { mallId: string; apiKey: string };
const recipient = { name: '王五', phone: '13900139000', province: '北京', city: '北京市', district: '海淀区', address: '中关村大街 1 号' };

beforeAll(async () => {
  wf = await startWorkflowHub({
    seed: 53,
    suppliers: ['jd', 'brand-acme'],
    mallName: 'Compensation mall',
    env: { HUB_SHIPMENT_POLL_MS: '1000', HUB_WORKFLOW_BACKOFF_MS: '100', HUB_WORKFLOW_BACKOFF_MAX_MS: '400', HUB_WORKFLOW_MAX_ATTEMPTS: '3', HUB_SUPPLIER_TIMEOUT_MS: '1500', HUB_SUPPLIER_BREAKER_HALF_OPEN_MS: '200' },
  });
  ({ hub, mall } = wf);
});
afterAll(async () => {
  await wf?.close();
});

const jd = () => wf.sandboxes.find((s) => s.id === 'jd') as Sandbox;
const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let n = 0;
async function order(skuId: string, points: number, cashFen: number): Promise<string> {
  const res = await hub.call('POST', '/v1/orders', {
    token: mall.apiKey,
    headers: { 'idempotency-key': `comp-${++n}` },
    body: { mallOrderId: `COMP-${n}`, member: { id: 'm-2' }, recipient, lines: [{ lineId: '1', skuId, quantity: 1, pointsPaid: points, cashPaidFen: cashFen }] },
  });
  expect(res.status).toBe(201);
  return (await json(res)).orderId as string;
}

const runOf = async (orderId: string) =>
  (await sql<{ id: string; status: string; goal: string | null; step: string; last_error: string | null }[]>(
    'select r.id, r.status, r.goal, r.step, r.last_error from workflow_run r join order_line l on l.id = r.subject_id where l.order_id = ?', [orderId]))[0];
const historyOf = async (runId: string) =>
  (await sql<{ seq: number; step: string; status: string; compensates: number | null }[]>('select seq, step, status, compensates from workflow_step where run_id = ? order by seq', [runId])).map(
    (s) => `${s.step} ${s.status}${s.compensates ? ` of #${s.compensates}` : ''}`,
  );
const attemptOf = async (orderId: string) =>
  (await sql<{ id: string; status: string; reference: string; supplier_order_id: string | null }[]>('select a.id, a.status, a.reference, a.supplier_order_id from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? order by a.seq', [orderId]));
const eventTypes = async (orderId: string) => (await sql<{ type: string }[]>('select type from mall_event where order_id = ? order by seq', [orderId])).map((e) => e.type);
const jdOrder = (reference: string) => jd().orderLedger().find((o) => o.reference === reference);

/** Moves the hub's clock past each backoff (waking due runs, as the reconciler does) until the run is in one of these statuses. */
async function runReaches(orderId: string, statuses: string[], ms = 15_000) {
  const until = Date.now() + ms;
  for (;;) {
    const run = await runOf(orderId);
    if (run && statuses.includes(run.status)) return run;
    if (Date.now() > until) throw new Error(`run still ${JSON.stringify(run)}`);
    hub.clock.advance(1_000);
    await processMaintenance({ task: 'wake-due-runs' }, { em: hub.deps.orm.em.fork(), clock: hub.clock, scheduleRun: runnerDeps(hub.deps).schedule });
    await sleep(100);
  }
}

const jdItem = () => itemFromCatalog(hub, mall.mallId, 'physical', ['jd'], recipient);

describe('a line run that fails for good after submitting', () => {
  it('cancels the order at JD, voids nothing twice, fails the line and tells the mall to refund, each compensation recorded in reverse order', async () => {
    const item = await jdItem();
    // JD takes the order (pre-occupies stock) but its confirm endpoint is down: confirm-order runs out of retries.
    jd().faults.set({ downMethods: [M.confirm] });
    try {
      const orderId = await order(item.skuId, item.points, item.cashFen);
      const run = await runReaches(orderId, ['failed', 'dead']);
      expect(run).toMatchObject({ status: 'failed', goal: 'fail' });
      expect(await historyOf(run.id)).toEqual([
        'pick-source succeeded', 'submit-order succeeded', 'confirm-order failed',
        'submit-order compensated of #2', 'pick-source compensated of #1',
      ]);
      // At JD: the order was placed once and is cancelled now, holding no stock and billing nothing.
      const [attempt] = await attemptOf(orderId);
      expect(jd().ordersFor(attempt?.reference as string)).toBe(1);
      expect(jdOrder(attempt?.reference as string)).toMatchObject({ status: 'cancelled', live: false, charged: false });
      expect(attempt?.status).toBe('cancelled');
      // The mall: the line failed, with what to refund.
      const o = await json(await hub.call('GET', `/v1/orders/${orderId}`, { token: mall.apiKey }));
      expect(o).toMatchObject({ status: 'failed', lines: [{ status: 'failed', quantityFailed: 1, refunds: [{ points: item.points, cashFen: item.cashFen, units: 1 }] }] });
      expect(await eventTypes(orderId)).toEqual(['order.accepted', 'line.submitted', 'line.failed', 'refund.required', 'order.failed']);
    } finally {
      jd().faults.reset();
    }
  });

  it('retries a compensation JD keeps refusing, dead-letters it with the reason, and finishes it when an operator replays', async () => {
    const item = await jdItem();
    jd().faults.set({ downMethods: [M.confirm, M.cancel] });
    let orderId = '';
    try {
      orderId = await order(item.skuId, item.points, item.cashFen);
      const run = await runReaches(orderId, ['dead', 'failed']);
      expect(run).toMatchObject({ status: 'dead', goal: 'fail', last_error: expect.stringContaining('compensation of submit-order') });
      expect((await historyOf(run.id)).slice(-1)).toEqual(['submit-order compensation_failed of #2']);
      const [attempt] = await attemptOf(orderId);
      // Not undone yet: JD still holds it, and the mall has been told nothing it would have to take back.
      expect(jdOrder(attempt?.reference as string)).toMatchObject({ live: true });
      expect(await eventTypes(orderId)).toEqual(['order.accepted', 'line.submitted']);
      const listed = await json(await hub.call('GET', `/admin/dead-letters?mallId=${mall.mallId}`, { token: ADMIN_TOKEN }));
      expect(listed.items.find((d: { runId: string }) => d.runId === run.id)).toMatchObject({ orderId, lineId: '1', phase: 'compensation', step: 'confirm-order' });
      // Abort is for runs that died forward; this one is replayed.
      expect((await hub.call('POST', `/admin/dead-letters/${run.id}/abort`, { token: ADMIN_TOKEN, body: { reason: 'x' } })).status).toBe(409);
      jd().faults.reset();
      const replayed = await hub.call('POST', `/admin/dead-letters/${run.id}/replay`, { token: ADMIN_TOKEN });
      expect(replayed.status).toBe(202);
      expect(await json(replayed)).toEqual({ runId: run.id, status: 'compensating' });
      expect(await runReaches(orderId, ['failed'])).toMatchObject({ status: 'failed' });
      expect(jdOrder(attempt?.reference as string)).toMatchObject({ status: 'cancelled', live: false });
      expect(await historyOf(run.id)).toEqual([
        'pick-source succeeded', 'submit-order succeeded', 'confirm-order failed',
        'submit-order compensation_failed of #2', 'submit-order compensated of #2', 'pick-source compensated of #1',
      ]);
      expect(await eventTypes(orderId)).toEqual(['order.accepted', 'line.submitted', 'line.failed', 'refund.required', 'order.failed']);
    } finally {
      jd().faults.reset();
    }
  });
});

describe('an operator aborting a run that died where the supplier may hold something', () => {
  it('cancels the brand order the run placed, then fails the line for a refund', async () => {
    const item = await itemFromCatalog(hub, mall.mallId, 'physical', ['brand-acme'], recipient);
    const brand = wf.sandboxes.find((s) => s.id === 'brand-acme') as Sandbox;
    const orderId = await order(item.skuId, item.points, item.cashFen);
    // The order is placed; then the brand stops answering while the hub waits for the shipment.
    await settleOrder({ hub, sandboxClock: wf.sandboxClock, apiKey: mall.apiKey }, orderId, (o) => o.lines[0].status === 'accepted', { hubMs: 500, supplierMs: 1_000 });
    brand.faults.set({ errorRate: 1 });
    let run;
    try {
      run = await runReaches(orderId, ['dead', 'failed'], 20_000);
    } finally {
      brand.faults.reset();
    }
    expect(run, JSON.stringify(run)).toMatchObject({ status: 'dead', goal: null, step: 'await-shipment' });
    // Held, not undone: the parcel may be on its way.
    const [attempt] = await attemptOf(orderId);
    expect(jdOrLedger(brand, attempt?.reference as string)).toMatchObject({ live: true });
    const aborted = await hub.call('POST', `/admin/dead-letters/${run?.id}/abort`, { token: ADMIN_TOKEN, body: { reason: 'brand confirmed it never shipped' } });
    expect(aborted.status).toBe(202);
    expect(await runReaches(orderId, ['failed'])).toMatchObject({ status: 'failed' });
    expect(jdOrLedger(brand, attempt?.reference as string)).toMatchObject({ cancelled: true, live: false });
    const o = await json(await hub.call('GET', `/v1/orders/${orderId}`, { token: mall.apiKey }));
    expect(o.lines[0]).toMatchObject({ status: 'failed', failureReason: 'brand confirmed it never shipped' });
    const audit = await sql<{ action: string }[]>("select action from audit_entry where resource_id = ? and action = 'workflow.abort'", [run?.id]);
    expect(audit).toHaveLength(1);
  });
});

const jdOrLedger = (s: Sandbox, reference: string) => s.orderLedger().find((o) => o.reference === reference);

describe('each line step and its compensation', () => {
  it('declares what it undoes and what happens when its retries run out', () => {
    const declared = [pickSourceStep, submitOrderStep, confirmOrderStep, awaitShipmentStep, submitIssuanceStep, pollIssuanceStep, failLineStep].map((s) => [s.id, Boolean(s.compensate), s.whenRetriesRunOut ?? 'compensate']);
    expect(declared).toEqual([
      ['pick-source', true, 'compensate'], // nothing sent yet: the attempt it made is voided
      ['submit-order', true, 'hold'], // its order is cancelled; a lost answer may hide an order
      ['confirm-order', false, 'compensate'], // the submit's cancel undoes it
      ['await-shipment', false, 'hold'], // a parcel may be on its way
      ['submit-issuance', false, 'hold'], // a recharge cannot be taken back
      ['poll-issuance', false, 'hold'],
      ['fail-line', false, 'compensate'],
    ]);
  });

  it('submit-order: cancels the order at JD once, does nothing for an attempt given up, and takes an order already cancelled as undone', async () => {
    const item = await jdItem();
    jd().faults.set({ downMethods: [M.confirm] });
    let orderId = '';
    let held: Awaited<ReturnType<typeof holdRun>> = null;
    try {
      orderId = await order(item.skuId, item.points, item.cashFen);
      // Wait for the submit to be recorded, while confirm keeps failing.
      for (let i = 0; i < 100 && !(await attemptOf(orderId))[0]?.supplier_order_id; i++) await sleep(50);
    } finally {
      // The run is held from here on: no worker confirms the order at JD (or compensates it) while the test undoes it by hand.
      const [line] = await sql<{ id: string }[]>('select id from order_line where order_id = ?', [orderId]);
      held = await holdRun({ ...runnerDeps(hub.deps), em: hub.deps.orm.em.fork() }, line?.id as string);
      jd().faults.reset();
    }
    if (!held || held === 'busy') throw new Error(`the run could not be held: ${String(held)}`);
    const [attempt] = await attemptOf(orderId);
    const input = { attemptId: attempt?.id as string, supplierId: 'jd', supplierOrderId: attempt?.supplier_order_id as string };
    const services = runnerDeps(hub.deps).services;
    const ctx = (): CompensationContext => ({ runId: 'r', subjectId: 's', em: hub.deps.orm.em.fork(), clock: new ManualClock(), goal: 'fail', reason: 'test', attempt: 0 });
    // JD cancels it; a second call (a worker died before recording the first) finds JD's order cancelled and is done.
    const first = await cancelPlacedOrder(input, ctx(), services);
    expect(first.output).toEqual({ cancelled: input.supplierOrderId });
    expect(jdOrder(attempt?.reference as string)).toMatchObject({ status: 'cancelled' });
    expect((await cancelPlacedOrder(input, ctx(), services)).output).toEqual({ cancelled: input.supplierOrderId });
    // Once recorded (the attempt cancelled), the guard stops it before JD is asked.
    await hub.deps.orm.em.fork().transactional(async (tx) => first.commit?.(tx));
    const before = jd().orderLedger().length;
    expect((await cancelPlacedOrder(input, ctx(), services)).output).toEqual({ skipped: 'attempt cancelled' });
    expect(jd().orderLedger().length).toBe(before);
    await held.release();
  });

  it('submit-order: a confirmed JD order cannot be cancelled, and says an after-sales return is the way (permanent)', async () => {
    const item = await jdItem();
    const orderId = await order(item.skuId, item.points, item.cashFen);
    await settleOrder({ hub, sandboxClock: wf.sandboxClock, apiKey: mall.apiKey }, orderId, (o) => o.lines[0].status === 'accepted', { hubMs: 500, supplierMs: 1_000 });
    const [attempt] = await attemptOf(orderId);
    const input = { attemptId: attempt?.id as string, supplierId: 'jd', supplierOrderId: attempt?.supplier_order_id as string };
    const ctx: CompensationContext = { runId: 'r', subjectId: 's', em: hub.deps.orm.em.fork(), clock: new ManualClock(), goal: 'fail', reason: 'test', attempt: 0 };
    await expect(cancelPlacedOrder(input, ctx, runnerDeps(hub.deps).services)).rejects.toMatchObject({ code: 'not_cancellable', retryable: false });
    expect(jdOrder(attempt?.reference as string)).toMatchObject({ status: 'confirmed', live: true });
  });

  it('pick-source: voids the attempt it made if it was never sent, and leaves a sent one to the submit', async () => {
    const item = await jdItem();
    const orderId = await order(item.skuId, item.points, item.cashFen);
    await settleOrder({ hub, sandboxClock: wf.sandboxClock, apiKey: mall.apiKey }, orderId, (o) => o.lines[0].status === 'accepted', { hubMs: 500, supplierMs: 1_000 });
    const [line] = await sql<{ id: string }[]>('select id from order_line where order_id = ?', [orderId]);
    const ctx: CompensationContext = { runId: 'r', subjectId: line?.id as string, em: hub.deps.orm.em.fork(), clock: new ManualClock(), goal: 'fail', reason: 'test', attempt: 0 };
    const sent = await pickSourceStep.compensate?.({ seq: 1 }, ctx, runnerDeps(hub.deps).services);
    await hub.deps.orm.em.fork().transactional(async (tx) => sent?.commit?.(tx));
    expect((await attemptOf(orderId))[0]?.status).not.toBe('cancelled');
    // An attempt made and never sent (as pick-source leaves it): voided, with the reason.
    await sql("update line_attempt set status = 'pending' where line_id = ? and seq = 1", [line?.id]);
    const unsent = await pickSourceStep.compensate?.({ seq: 1 }, ctx, runnerDeps(hub.deps).services);
    await hub.deps.orm.em.fork().transactional(async (tx) => unsent?.commit?.(tx));
    expect((await attemptOf(orderId))[0]?.status).toBe('cancelled');
  });
});
