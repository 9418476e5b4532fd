import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { defaultLifecycle, type Sandbox } from '../../connectors/sandbox/common/context.ts';
import type { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import type { JdState } from '../../connectors/sandbox/jd/state.ts';
import type { TopupSandbox } from '../../connectors/sandbox/topup/index.ts';
import { relayOutbox } from '../../src/queues/outbox-relay.ts';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { runnerDeps } from '../../src/workflow-runner.ts';
import { json, type TestHub } from '../support/hub.ts';
import { itemFrom as itemFromCatalog } from '../support/catalog-items.ts';
import { settleOrder } from '../support/settle.ts';
import { startWorkflowHub, type WorkflowHub } from '../support/workflow-hub.ts';

// A submit whose answer is lost (the supplier took the order, the hub timed out) leaves the line
// pending with a reference and no supplier order id, in its retry wait. A cancel then must find
// out what the supplier holds before deciding. Supplier state is read from the sandboxes
// themselves (JD's orders map, the top-up platform's money ledger, the brand's own REST API),
// never from the hub's records.

let hub: TestHub;
let sandboxes: Sandbox[];
let sandboxClock: SandboxClock;
let mall: { mallId: string; apiKey: string };

const recipient = { name: '王五', phone: '13900139000', province: '北京', city: '北京市', district: '朝阳区', address: '酒仙桥路 2 号' };
// A retry wait far longer than the test (hub time only moves when the test moves it): the
// cancellation always arrives while the run waits to look the reference up.
const RETRY_WAIT_MS = 600_000;

let wf: WorkflowHub;
beforeAll(async () => {
  wf = await startWorkflowHub({
    seed: 71,
    suppliers: ['jd', 'brand-acme', 'taobao', 'topup-fulu', 'topup-yike'],
    mallName: 'Cancel mall',
    env: {
      HUB_ISSUANCE_POLL_MS: '1000',
      HUB_SHIPMENT_POLL_MS: '1000',
      HUB_WORKFLOW_BACKOFF_MS: String(RETRY_WAIT_MS),
      HUB_WORKFLOW_BACKOFF_MAX_MS: String(RETRY_WAIT_MS),
      HUB_WORKFLOW_MAX_ATTEMPTS: '4',
      HUB_SUPPLIER_TIMEOUT_MS: '1000',
      HUB_SUPPLIER_BREAKER_HALF_OPEN_MS: '300',
    },
  });
  ({ hub, sandboxes, sandboxClock, mall } = wf);
});
afterEach(() => {
  for (const s of sandboxes) s.faults.reset();
});
afterAll(async () => {
  await wf?.close();
});

const sandbox = <T extends Sandbox = Sandbox>(id: string) => sandboxes.find((s) => s.id === id) as T;
const connector = (id: string) => hub.deps.connectors.get(id) as SupplierConnector;
const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cancel = (orderId: string) => hub.call('POST', `/v1/orders/${orderId}/cancel`, { token: mall.apiKey, body: { reason: 'member changed their mind' } });
const view = async (orderId: string) => json(await hub.call('GET', `/v1/orders/${orderId}`, { token: mall.apiKey }));

const itemFrom = (kind: string, sources: string[]) => itemFromCatalog(hub, mall.mallId, kind, sources, recipient);

let n = 0;
async function order(item: { skuId: string; points: number; cashFen: number }, virtual = false): Promise<string> {
  const res = await hub.call('POST', '/v1/orders', {
    token: mall.apiKey,
    headers: { 'idempotency-key': `cu-${++n}` },
    body: {
      mallOrderId: `CU-${n}`,
      member: { id: 'm-7' },
      ...(virtual ? {} : { recipient }),
      lines: [{ lineId: '1', skuId: item.skuId, quantity: 1, pointsPaid: item.points, cashPaidFen: item.cashFen, ...(virtual ? { rechargeAccount: '13600136000' } : {}) }],
    },
  });
  expect(res.status).toBe(201);
  return (await json(res)).orderId as string;
}

interface RunRow { id: string; status: string; step: string; attempt: number; state: Record<string, any>; last_error: string | null; lease_until: Date | null; next_run_at: Date | null }
const runOf = async (orderId: string) =>
  (await sql<RunRow[]>('select r.id, r.status, r.step, r.attempt, r.state, r.last_error, r.lease_until, r.next_run_at from workflow_run r join order_line l on l.id = r.subject_id where l.order_id = ?', [orderId]))[0] as RunRow;
const attemptOf = async (orderId: string) =>
  (await sql<{ reference: string; supplier_id: string; status: string; supplier_order_id: string | null }[]>(
    'select a.reference, a.supplier_id, a.status, a.supplier_order_id from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? order by a.seq desc limit 1',
    [orderId],
  ))[0];
const refunds = (orderId: string) => sql<{ units: number; points: number }[]>("select units, points from ledger_entry where order_id = ? and entry = 'refund'", [orderId]);
const eventTypes = async (orderId: string) => (await sql<{ type: string }[]>('select type from mall_event where order_id = ? order by seq', [orderId])).map((e) => e.type);

/**
 * Places an order whose submit reaches `supplierId` and whose answer is lost, and waits until the
 * run sits in its retry wait at the submit step: the line pending, no supplier order id known.
 */
async function lostSubmit(supplierId: string, item: { skuId: string; points: number; cashFen: number }, virtual = false): Promise<{ orderId: string; reference: string }> {
  sandbox(supplierId).faults.set({ unknownOutcomeNext: 1 });
  const orderId = await order(item, virtual);
  await relayOutbox(hub.deps.orm.em, hub.deps.queues);
  let run = await runOf(orderId);
  for (let i = 0; i < 100 && !(run.status === 'waiting' && run.last_error); i++) {
    await sleep(50);
    run = await runOf(orderId);
  }
  expect(run, JSON.stringify(run)).toMatchObject({ status: 'waiting', step: virtual ? 'submit-issuance' : 'submit-order', attempt: 1 });
  expect(run.last_error).toBeTruthy();
  expect(run.state.supplierOrderId).toBeUndefined();
  const attempt = await attemptOf(orderId);
  expect(attempt).toMatchObject({ supplier_id: supplierId, status: 'pending', supplier_order_id: null });
  // The supplier did take it: the lost answer hides an order it holds.
  expect(sandbox(supplierId).ordersFor(attempt?.reference as string)).toBe(1);
  expect((await view(orderId)).lines[0].status).toBe('pending');
  return { orderId, reference: attempt?.reference as string };
}

/** Moves hub time past the retry wait and lets the reconciler wake due runs, a few times over. */
async function letWorkersRun(rounds = 4): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    hub.clock.advance(RETRY_WAIT_MS + 1_000);
    await relayOutbox(hub.deps.orm.em, hub.deps.queues);
    await processMaintenance({ task: 'wake-due-runs' }, { em: hub.deps.orm.em.fork(), clock: hub.clock, scheduleRun: runnerDeps(hub.deps).schedule });
    await sleep(300);
  }
}

/** The brand's own view of its order for a clientReference, through its REST API (the sandbox, not the hub's connector). */
async function brandOrder(reference: string): Promise<{ id: string; status: string }> {
  const s = sandbox('brand-acme');
  const res = await s.app.request(`/v1/orders?clientReference=${encodeURIComponent(reference)}`, { headers: { authorization: `Bearer ${s.credentials.apiKey}` } });
  const body = (await res.json()) as { data: { id: string; status: string; clientReference: string }[] };
  const found = body.data.filter((o) => o.clientReference === reference);
  expect(found).toHaveLength(1);
  return found[0] as { id: string; status: string };
}

/** Asserts a hub cancellation: refund booked once, line.cancelled told, attempt and run cancelled. */
async function expectCancelledInHub(orderId: string, item: { points: number }) {
  const out = await view(orderId);
  expect(out.lines[0]).toMatchObject({ status: 'cancelled', quantityCancelled: 1 });
  expect(await refunds(orderId)).toEqual([{ units: 1, points: -item.points }]);
  expect(await eventTypes(orderId)).toContain('line.cancelled');
  expect((await attemptOf(orderId))?.status).toBe('cancelled');
  expect((await runOf(orderId)).status).toBe('cancelled');
}

describe('cancel after a lost submit answer: the supplier is asked first', () => {
  it('brand: finds the order by its clientReference, cancels it at the brand, then refunds', async () => {
    const item = await itemFrom('physical', ['brand-acme']);
    const { orderId, reference } = await lostSubmit('brand-acme', item);
    expect((await brandOrder(reference)).status).toBe('accepted');

    const res = await cancel(orderId);
    expect(res.status).toBe(200);
    expect((await json(res)).lines).toEqual([{ lineId: '1', result: 'cancelled' }]);
    await expectCancelledInHub(orderId, item);
    // The brand's own record: cancelled, and the hub knows which order it was.
    const at = await brandOrder(reference);
    expect(at.status).toBe('cancelled');
    expect((await attemptOf(orderId))?.supplier_order_id).toBe(at.id);

    // The cancelled run is never picked up again: no second order, nothing ships.
    await letWorkersRun();
    await sandboxClock.advance(3 * 3600_000);
    expect(sandbox('brand-acme').ordersFor(reference)).toBe(1);
    expect((await brandOrder(reference)).status).toBe('cancelled');
    expect((await runOf(orderId)).status).toBe('cancelled');
  });

  it('Taobao: finds the purchase order by its distributor order number and closes it', async () => {
    const item = await itemFrom('physical', ['taobao']);
    const { orderId, reference } = await lostSubmit('taobao', item);
    const purchaseOrderId = (sandbox('taobao') as Sandbox & { orderIdFor(r: string): string | undefined }).orderIdFor(reference);
    expect(purchaseOrderId).toBeDefined();

    const res = await cancel(orderId);
    expect(res.status).toBe(200);
    expect((await json(res)).lines).toEqual([{ lineId: '1', result: 'cancelled' }]);
    await expectCancelledInHub(orderId, item);
    // Closed at Taobao (TRADE_CLOSED, read back through TOP), still the one order for the reference.
    expect((await connector('taobao').getOrder(purchaseOrderId as string)).status).toBe('cancelled');
    expect((await attemptOf(orderId))?.supplier_order_id).toBe(purchaseOrderId);
    await letWorkersRun();
    expect(sandbox('taobao').ordersFor(reference)).toBe(1);
    expect((await connector('taobao').getOrder(purchaseOrderId as string)).status).toBe('cancelled');
  });

  it('JD: an order pre-occupied by a submit whose answer was lost is cancelled at JD, not left holding stock', async () => {
    const item = await itemFrom('physical', ['jd']);
    const { orderId, reference } = await lostSubmit('jd', item);
    const jd = sandbox<Sandbox & { state: JdState }>('jd').state;
    const jdOrderId = jd.byThirdOrder.get(reference) as number;
    expect(jd.orders.get(jdOrderId)?.state).toBe('occupied');

    const res = await cancel(orderId);
    expect(res.status).toBe(200);
    expect((await json(res)).lines).toEqual([{ lineId: '1', result: 'cancelled' }]);
    await expectCancelledInHub(orderId, item);
    // JD's own orders map: cancelled, never confirmed, its stock no longer held.
    expect(jd.orders.get(jdOrderId)?.state).toBe('cancelled');
    expect([...jd.reserved.values()].every((units) => units === 0)).toBe(true);
    await letWorkersRun();
    expect(jd.orders.get(jdOrderId)?.state).toBe('cancelled');
    expect(sandbox('jd').ordersFor(reference)).toBe(1);
  });

  it('top-up: a recharge the provider is issuing is not cancellable, is not refunded, and is issued once', async () => {
    const item = await itemFrom('virtual', ['topup-fulu', 'topup-yike']);
    const [cheapest] = (await sql<{ supplier_id: string }[]>('select supplier_id from catalog_offer where item_id = (select id from catalog_item where sku_id = ?) order by cost_fen, supplier_id', [item.skuId])).map((r) => r.supplier_id);
    const provider = sandbox<TopupSandbox>(cheapest as string);
    const { orderId, reference } = await lostSubmit(provider.id, item, true);
    const charges = () => provider.ledger().filter((e) => e.customerOrderNo === reference).map((e) => e.kind);
    expect(charges()).toEqual(['charge']);
    const before = await runOf(orderId);

    const res = await cancel(orderId);
    expect(res.status).toBe(200);
    const out = await json(res);
    expect(out.lines).toEqual([{ lineId: '1', result: 'not_cancellable', reason: expect.stringContaining('issuing') }]);
    // Nothing cancelled or refunded in the hub; the run goes on from the order found, not a new one.
    expect(out.order.lines[0].status).toBe('pending');
    expect(await refunds(orderId)).toEqual([]);
    expect(await eventTypes(orderId)).not.toContain('line.cancelled');
    const found = (await connector(provider.id).findOrder(reference))?.supplierOrderId;
    expect((await attemptOf(orderId))?.supplier_order_id).toBe(found);
    const after = await runOf(orderId);
    expect(after).toMatchObject({ status: 'waiting', step: before.step, attempt: before.attempt, lease_until: null, next_run_at: before.next_run_at });
    expect(after.state.supplierOrderId).toBe(found);

    const done = await settleOrder({ hub, sandboxClock, apiKey: mall.apiKey }, orderId, (o) => ['issued', 'failed'].includes(o.lines[0].status), { hubMs: RETRY_WAIT_MS, supplierMs: 60_000 });
    expect(done.lines[0]).toMatchObject({ status: 'issued', quantityFulfilled: 1 });
    expect(provider.ordersFor(reference)).toBe(1);
    expect(charges()).toEqual(['charge']);
    expect(await refunds(orderId)).toEqual([]);
  });

  it('top-up: a submit that never reached the provider is cancelled in the hub, and never sent later', async () => {
    const item = await itemFrom('virtual', ['topup-fulu', 'topup-yike']);
    const [cheapest] = (await sql<{ supplier_id: string }[]>('select supplier_id from catalog_offer where item_id = (select id from catalog_item where sku_id = ?) order by cost_fen, supplier_id', [item.skuId])).map((r) => r.supplier_id);
    const provider = sandbox<TopupSandbox>(cheapest as string);
    // The request hangs before the platform handles it: a timeout, and no order there.
    provider.faults.set({ hangRate: 1 });
    const orderId = await order(item, true);
    await relayOutbox(hub.deps.orm.em, hub.deps.queues);
    for (let i = 0; i < 100 && !(await runOf(orderId)).last_error; i++) await sleep(50);
    provider.faults.reset();
    await sleep(400); // the circuit's half-open time
    const { reference } = (await attemptOf(orderId)) as { reference: string };
    expect(provider.ordersFor(reference)).toBe(0);

    const asked = provider.requestCount();
    const res = await cancel(orderId);
    expect(res.status).toBe(200);
    expect((await json(res)).lines).toEqual([{ lineId: '1', result: 'cancelled' }]);
    // Decided on the provider's answer ("no such order"), not on the hub's lack of an order id.
    expect(provider.requestCount()).toBeGreaterThan(asked);
    await expectCancelledInHub(orderId, item);
    // The run was held while deciding and is now cancelled: no worker submits it afterwards.
    await letWorkersRun();
    expect(provider.ordersFor(reference)).toBe(0);
    expect(provider.ledger().filter((e) => e.customerOrderNo === reference)).toEqual([]);
  });

  it('brand: an order the brand has already shipped is not cancellable, and the hub does not refund it', async () => {
    const item = await itemFrom('physical', ['brand-acme']);
    const { orderId, reference } = await lostSubmit('brand-acme', item);
    await sandboxClock.advance(defaultLifecycle.shipAfterMs + 60_000);
    expect((await brandOrder(reference)).status).toBe('shipped');

    const out = await json(await cancel(orderId));
    expect(out.lines).toEqual([{ lineId: '1', result: 'not_cancellable', reason: expect.stringContaining('after-sales') }]);
    expect(out.order.lines[0].status).toBe('pending');
    expect(await refunds(orderId)).toEqual([]);
    expect(await eventTypes(orderId)).not.toContain('line.cancelled');
    expect((await attemptOf(orderId))?.supplier_order_id).toBe((await brandOrder(reference)).id);
    // The workflow goes on from that order (looked up, not submitted again) and follows the parcel.
    const shipped = await settleOrder({ hub, sandboxClock, apiKey: mall.apiKey }, orderId, (o) => ['shipped', 'delivered'].includes(o.lines[0].status), { hubMs: RETRY_WAIT_MS, supplierMs: 1_000 });
    expect(shipped.lines[0].status).toMatch(/shipped|delivered/);
    expect(sandbox('brand-acme').ordersFor(reference)).toBe(1);
  });
});

describe('cancel while the supplier cannot be asked', () => {
  it('answers 503 with Retry-After and changes nothing; once the brand answers, the cancel goes through', async () => {
    const item = await itemFrom('physical', ['brand-acme']);
    const { orderId, reference } = await lostSubmit('brand-acme', item);
    const before = { run: await runOf(orderId), attempt: await attemptOf(orderId), view: await view(orderId), events: await eventTypes(orderId), refunds: await refunds(orderId) };
    // The brand stops answering: the lookup times out.
    sandbox('brand-acme').faults.set({ hangRate: 1 });

    const res = await cancel(orderId);
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = await json(res);
    expect(body.error).toMatchObject({ code: 'unavailable', details: { undecided: [{ lineId: '1', supplierId: 'brand-acme' }] } });
    // Nothing moved: line, ledger, events, attempt, run (released, still waiting for its retry).
    expect(await view(orderId)).toEqual(before.view);
    expect(await refunds(orderId)).toEqual(before.refunds);
    expect(await eventTypes(orderId)).toEqual(before.events);
    expect(await attemptOf(orderId)).toEqual(before.attempt);
    expect(await runOf(orderId)).toEqual(before.run);
    sandbox('brand-acme').faults.reset();
    expect((await brandOrder(reference)).status).toBe('accepted');

    // The brand is back (and its circuit half-open): the mall's retry decides.
    await sleep(400);
    const again = await cancel(orderId);
    expect(again.status).toBe(200);
    expect((await json(again)).lines).toEqual([{ lineId: '1', result: 'cancelled' }]);
    expect((await brandOrder(reference)).status).toBe('cancelled');
    await expectCancelledInHub(orderId, item);
  });
});

describe('a cancel whose answer at the supplier is lost', () => {
  it('answers 503, and the workflow that then finds the order cancelled at the brand cancels the line instead of rerouting or failing it', async () => {
    const item = await itemFrom('physical', ['brand-acme']);
    const orderId = await order(item);
    await relayOutbox(hub.deps.orm.em, hub.deps.queues);
    for (let i = 0; i < 100 && (await view(orderId)).lines[0].status !== 'accepted'; i++) await sleep(50);
    expect((await view(orderId)).lines[0].status).toBe('accepted');
    const { reference } = (await attemptOf(orderId)) as { reference: string };

    // The brand cancels the order, and its answer never reaches the hub.
    sandbox('brand-acme').faults.set({ unknownOutcomeNext: 1 });
    const res = await cancel(orderId);
    expect(res.status, await res.clone().text()).toBe(503);
    expect((await brandOrder(reference)).status).toBe('cancelled');
    expect((await view(orderId)).lines[0].status).toBe('accepted');
    sandbox('brand-acme').faults.reset();

    // The mall does not retry; the workflow polls, finds the brand's order cancelled, and honours the mall's cancel.
    await letWorkersRun();
    const types = await eventTypes(orderId);
    expect(types).toContain('line.cancelled');
    expect(types).not.toContain('line.failed');
    expect(types).not.toContain('refund.required');
    expect(types).not.toContain('line.rerouted');
    expect((await view(orderId)).lines[0]).toMatchObject({ status: 'cancelled', quantityCancelled: 1 });
    expect(await refunds(orderId)).toEqual([{ units: 1, points: -item.points }]);
    expect(sandbox('brand-acme').ordersFor(reference)).toBe(1);

    // A late retry of the cancel answers what happened, and books nothing twice.
    const again = await cancel(orderId);
    expect((await json(again)).lines).toEqual([{ lineId: '1', result: 'cancelled' }]);
    expect(await refunds(orderId)).toEqual([{ units: 1, points: -item.points }]);
  });

  it('answers 503, and a retry of the cancel that the brand refuses as already cancelled still cancels the line', async () => {
    const item = await itemFrom('physical', ['brand-acme']);
    const orderId = await order(item);
    await relayOutbox(hub.deps.orm.em, hub.deps.queues);
    for (let i = 0; i < 100 && (await view(orderId)).lines[0].status !== 'accepted'; i++) await sleep(50);
    sandbox('brand-acme').faults.set({ unknownOutcomeNext: 1 });
    expect((await cancel(orderId)).status).toBe(503);
    sandbox('brand-acme').faults.reset();
    const again = await cancel(orderId);
    expect(again.status).toBe(200);
    expect((await json(again)).lines).toEqual([{ lineId: '1', result: 'cancelled' }]);
    await expectCancelledInHub(orderId, item);
  });
});

describe('the cancellation and the workers', () => {
  it('acts at the supplier only while it still holds the run: a worker that took it over meanwhile keeps it', async () => {
    const item = await itemFrom('physical', ['brand-acme']);
    const { orderId, reference } = await lostSubmit('brand-acme', item);
    const brand = sandbox('brand-acme');
    brand.faults.set({ latencyMs: 600 }); // under the connector's timeout
    const asked = brand.requestCount();
    const pending = cancel(orderId);
    // While the lookup is at the brand, the cancellation's lease runs out (hub time) and the
    // reconciler hands the due run to a worker.
    for (let i = 0; i < 200 && brand.requestCount() === asked; i++) await sleep(10);
    hub.clock.advance(RETRY_WAIT_MS + hub.config.workflow.leaseMs + 1_000);
    await processMaintenance({ task: 'wake-due-runs' }, { em: hub.deps.orm.em.fork(), clock: hub.clock, scheduleRun: runnerDeps(hub.deps).schedule });
    const res = await pending;
    expect(res.status).toBe(200);
    expect((await json(res)).lines).toEqual([{ lineId: '1', result: 'not_cancellable', reason: expect.stringContaining('try again') }]);
    brand.faults.reset();
    // Nothing was cancelled under the worker: the brand's order stands and the line goes on from it.
    expect((await brandOrder(reference)).status).toBe('accepted');
    const placed = await settleOrder({ hub, sandboxClock, apiKey: mall.apiKey }, orderId, (o) => o.lines[0].status !== 'pending', { hubMs: RETRY_WAIT_MS, supplierMs: 1_000 });
    expect(placed.lines[0]).toMatchObject({ status: 'accepted', source: 'brand-acme' });
    expect(await refunds(orderId)).toEqual([]);
    expect(await eventTypes(orderId)).not.toContain('line.cancelled');
    expect(brand.ordersFor(reference)).toBe(1);
  });
});
