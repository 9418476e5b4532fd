import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import type { Sandbox } from '../../connectors/sandbox/common/context.ts';
import type { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { runnerDeps } from '../../src/workflow-runner.ts';
import { itemFrom as itemFromCatalog } from '../support/catalog-items.ts';
import { settleOrder } from '../support/settle.ts';
import { startWorkflowHub, type WorkflowHub } from '../support/workflow-hub.ts';
import { ADMIN_TOKEN, json, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let sandboxes: Sandbox[];
let sandboxClock: SandboxClock;
let mall: { mallId: string; apiKey: string };

const recipient = { name: '李四', phone: '13700137000', province: '北京', city: '北京市', district: '朝阳区', address: '望京街 1 号' };

let wf: WorkflowHub;
beforeAll(async () => {
  wf = await startWorkflowHub({
    seed: 51,
    suppliers: ['jd', 'brand-acme', 'brand-lumen', 'taobao', 'topup-fulu', 'topup-yike'],
    mallName: 'Workflow mall',
    env: { HUB_ISSUANCE_POLL_MS: '1000', HUB_SHIPMENT_POLL_MS: '1000', HUB_WORKFLOW_BACKOFF_MS: '100', HUB_WORKFLOW_MAX_ATTEMPTS: '4', HUB_SUPPLIER_TIMEOUT_MS: '1500', HUB_SUPPLIER_BREAKER_HALF_OPEN_MS: '500' },
  });
  ({ hub, sandboxes, sandboxClock, mall } = wf);
});
afterAll(async () => {
  await wf?.close();
});

const sandbox = (id: string) => sandboxes.find((s) => s.id === id) as Sandbox;
const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const itemFrom = (kind: string, sources: string[]) => itemFromCatalog(hub, mall.mallId, kind, sources, recipient);

let n = 0;
/** `virtual`: no recipient, and a recharge account unless `codes` (voucher codes take none: the contract refuses one). */
async function order(item: { skuId: string; points: number; cashFen: number }, opts: { virtual?: boolean; codes?: boolean; quantity?: number } = {}) {
  const quantity = opts.quantity ?? 1;
  const res = await hub.call('POST', '/v1/orders', {
    token: mall.apiKey,
    headers: { 'idempotency-key': `wf-${++n}` },
    body: {
      mallOrderId: `WF-${n}`,
      member: { id: 'm-1' },
      ...(opts.virtual ? {} : { recipient }),
      lines: [{ lineId: '1', skuId: item.skuId, quantity, pointsPaid: item.points * quantity, cashPaidFen: item.cashFen * quantity, ...(opts.virtual && !opts.codes ? { rechargeAccount: '13600136000' } : {}) }],
    },
  });
  expect(res.status).toBe(201);
  return (await json(res)).orderId as string;
}

const settle = (orderId: string, done: (o: Record<string, any>) => boolean, step = { hubMs: 2_000, supplierMs: 60_000 }) =>
  settleOrder({ hub, sandboxClock, apiKey: mall.apiKey }, orderId, done, { ...step });

const events = (orderId: string) => sql<{ seq: number; type: string; data: Record<string, any> }[]>('select seq, type, data from mall_event where order_id = ? order by seq', [orderId]);

describe('virtual issuance', () => {
  it('issues a top-up exactly once when the provider’s answer is lost, checked against its own ledger', async () => {
    const item = await itemFrom('virtual', ['topup-fulu', 'topup-yike']);
    const cheapest = (await sql<{ supplier_id: string }[]>('select supplier_id from catalog_offer where item_id = (select id from catalog_item where sku_id = ?) order by cost_fen, supplier_id limit 1', [item.skuId]))[0]?.supplier_id as string;
    sandbox(cheapest).faults.set({ unknownOutcomeNext: 1 });
    const orderId = await order(item, { virtual: true });
    const done = await settle(orderId, (o) => ['issued', 'failed'].includes(o.lines[0].status));
    sandbox(cheapest).faults.reset();
    // The answer really was lost: the submit step needed a second attempt, which looked the number up.
    const submits = await sql<{ attempts: number }[]>(
      "select s.attempts from workflow_step s join workflow_run r on r.id = s.run_id join order_line l on l.id = r.subject_id where l.order_id = ? and s.step = 'submit-issuance' order by s.seq limit 1",
      [orderId],
    );
    expect(submits[0]?.attempts).toBe(2);
    const attempts = await sql<{ reference: string; supplier_id: string; status: string }[]>(
      'select a.reference, a.supplier_id, a.status from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? order by a.seq',
      [orderId],
    );
    // The lost answer was looked up by its order number, not sent again: one order at the provider.
    expect(attempts[0]?.supplier_id).toBe(cheapest);
    expect(sandbox(cheapest).ordersFor(attempts[0]?.reference as string)).toBe(1);
    // Recharges do not fail at random in this file's sandboxes (topupFailRate 0): it must be issued.
    expect(done).toMatchObject({ status: 'completed', lines: [{ status: 'issued', quantityFulfilled: 1 }] });
    expect((await events(orderId)).map((e) => e.type)).toEqual(expect.arrayContaining(['order.accepted', 'line.submitted', 'line.issued']));
    const cost = await sql<{ entry: string }[]>("select entry from ledger_entry where order_id = ? and entry = 'supplier_cost'", [orderId]);
    expect(cost.length).toBe(1);
  });

  it('fails over to the other provider when the first refuses, and tells the mall it rerouted', async () => {
    const item = await itemFrom('virtual', ['topup-fulu', 'topup-yike']);
    const [first, second] = (await sql<{ supplier_id: string }[]>('select supplier_id from catalog_offer where item_id = (select id from catalog_item where sku_id = ?) order by cost_fen, supplier_id', [item.skuId])).map((r) => r.supplier_id) as [string, string];
    sandbox(first).faults.set({ stockoutSkus: [item.offers[first] as string] });
    try {
      const orderId = await order(item, { virtual: true });
      const done = await settle(orderId, (o) => ['issued', 'failed'].includes(o.lines[0].status));
      const attempts = await sql<{ supplier_id: string; status: string }[]>('select a.supplier_id, a.status from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? order by a.seq', [orderId]);
      expect(attempts.map((a) => a.supplier_id).slice(0, 2)).toEqual([first, second]);
      expect(attempts[0]?.status).toBe('failed');
      const rerouted = (await events(orderId)).find((e) => e.type === 'line.rerouted');
      expect(rerouted?.data).toMatchObject({ lineId: '1', from: first, to: second });
      expect(done.lines[0]).toMatchObject({ status: 'issued', source: second });
    } finally {
      sandbox(first).faults.reset();
    }
  });
});

describe('voucher codes', () => {
  it('stores issued codes sealed, shows them masked, and reveals them in full only to the owning mall, audited', async () => {
    const [row] = await sql<{ sku_id: string; points: number; cash_fen: number }[]>(
      "select ci.sku_id, mi.points, mi.cash_fen from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ? where ci.match_key like 'v:voucher|%' and mi.sellable order by ci.id limit 1",
      [mall.mallId],
    );
    if (!row) throw new Error('the top-up sandboxes list no voucher product');
    const orderId = await order({ skuId: row.sku_id, points: row.points, cashFen: row.cash_fen }, { virtual: true, codes: true });
    const done = await settle(orderId, (o) => ['issued', 'failed'].includes(o.lines[0].status));
    expect(done.lines[0]).toMatchObject({ status: 'issued' });
    const masked = done.lines[0].issuance.vouchers as { code: string }[];
    expect(masked.length).toBeGreaterThan(0);
    for (const v of masked) expect(v.code).toMatch(/^\*+.{4}$/);
    // At rest: sealed, the code nowhere in the row.
    const stored = await sql<{ code: { keyId: string; data: string }; masked: string }[]>('select v.code, v.masked from line_voucher v join order_line l on l.id = v.line_id where l.order_id = ?', [orderId]);
    const full = JSON.parse(hub.deps.crypto.open(stored[0]?.code as { keyId: string; data: string })).code as string;
    expect(JSON.stringify(stored)).not.toContain(full);
    expect(full.slice(-4)).toBe(masked[0]?.code.slice(-4));

    const res = await hub.call('GET', `/v1/orders/${orderId}/lines/1/vouchers`, { token: mall.apiKey });
    expect(res.status).toBe(200);
    const revealed = await json(res);
    expect(revealed.vouchers[0].code).toBe(full);
    const audit = await sql<{ action: string; actor_id: string; after: Record<string, unknown> }[]>("select action, actor_id, after from audit_entry where action = 'voucher.reveal' and resource_id = (select id from order_line where order_id = ?)", [orderId]);
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(full);
    expect(hub.logs.text).not.toContain(full);

    // Another mall, an unknown line: 404, nothing revealed, nothing audited.
    const other = await hub.createMall('Other voucher mall');
    expect((await hub.call('GET', `/v1/orders/${orderId}/lines/1/vouchers`, { token: other.apiKey })).status).toBe(404);
    expect((await hub.call('GET', `/v1/orders/${orderId}/lines/9/vouchers`, { token: mall.apiKey })).status).toBe(404);
    expect(await sql("select 1 from audit_entry where action = 'voucher.reveal'")).toHaveLength(1);
  });
});

describe('brand services', () => {
  it('issues a service line whose e-voucher codes come with the order, with its codes and one cost, instead of waiting for a parcel', async () => {
    const rows = await sql<{ supplier_id: string }[]>(
      `select o.supplier_id from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ? join catalog_offer o on o.item_id = ci.id
       where ci.kind = 'service' and mi.sellable and o.on_shelf and o.removed_at is null group by o.supplier_id order by o.supplier_id limit 1`,
      [mall.mallId],
    );
    const item = await itemFrom('service', [rows[0]?.supplier_id as string]);
    const orderId = await order(item);
    const done = await settle(orderId, (o) => ['issued', 'failed', 'delivered'].includes(o.lines[0].status));
    expect(done).toMatchObject({ status: 'completed', lines: [{ status: 'issued', quantityFulfilled: 1 }] });
    expect((await events(orderId)).map((e) => e.type)).toEqual(expect.arrayContaining(['order.accepted', 'line.submitted', 'line.issued']));
    const codes = await sql<{ masked: string }[]>('select v.masked from line_voucher v join order_line l on l.id = v.line_id where l.order_id = ?', [orderId]);
    expect(codes.length).toBeGreaterThan(0);
    const cost = await sql<{ entry: string }[]>("select entry from ledger_entry where order_id = ? and entry = 'supplier_cost'", [orderId]);
    expect(cost.length).toBe(1);
  });
});

describe('drop-ship', () => {
  it('routes around a source out of stock for the address, and waits, durably, for the shipment', async () => {
    const item = await itemFrom('physical', ['brand-acme', 'jd']);
    const [first, second] = (await sql<{ supplier_id: string }[]>('select supplier_id from catalog_offer where item_id = (select id from catalog_item where sku_id = ?) order by cost_fen, supplier_id', [item.skuId])).map((r) => r.supplier_id) as [string, string];
    // The cheapest source has none for Beijing when asked live.
    sandbox(first).faults.set({ stockoutSkus: [item.offers[first] as string] });
    const orderId = await order(item);
    const accepted = await settle(orderId, (o) => ['accepted', 'shipped', 'delivered', 'failed'].includes(o.lines[0].status), { hubMs: 2_000, supplierMs: 1_000 });
    sandbox(first).faults.reset();
    expect(accepted.lines[0]).toMatchObject({ source: second });
    const shipped = await settle(orderId, (o) => ['shipped', 'delivered'].includes(o.lines[0].status), { hubMs: 2_000, supplierMs: 3 * 3600_000 });
    expect(shipped.status).toBe('in_progress');
    expect(sandbox(second).ordersFor((await sql<{ reference: string }[]>('select a.reference from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? and a.supplier_id = ?', [orderId, second]))[0]?.reference as string)).toBe(1);
    const types = (await events(orderId)).map((e) => e.type);
    expect(types[0]).toBe('order.accepted');
    expect(types).toEqual(expect.arrayContaining(['line.submitted', 'line.shipped']));
    expect((await events(orderId)).map((e) => e.seq)).toEqual(types.map((_, i) => i + 1));
  });

  it('reroutes when the source it picked turns out sold out at the order itself (stock read said yes)', async () => {
    const item = await itemFrom('physical', ['brand-acme', 'jd']);
    const [first, second] = (await sql<{ supplier_id: string }[]>('select supplier_id from catalog_offer where item_id = (select id from catalog_item where sku_id = ?) order by cost_fen, supplier_id', [item.skuId])).map((r) => r.supplier_id) as [string, string];
    // The live stock check passes at the cheapest source; its order then answers stock short.
    sandbox(first).faults.set({ soldOutAtOrderSkus: [item.offers[first] as string] });
    try {
      const orderId = await order(item);
      const placed = await settle(orderId, (o) => ['accepted', 'shipped', 'delivered', 'failed'].includes(o.lines[0].status), { hubMs: 2_000, supplierMs: 1_000 });
      expect(placed.lines[0]).toMatchObject({ status: 'accepted', source: second });
      const attempts = await sql<{ supplier_id: string; status: string; failure_reason: string | null; reference: string }[]>(
        'select a.supplier_id, a.status, a.failure_reason, a.reference from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? order by a.seq',
        [orderId],
      );
      expect(attempts.map((a) => [a.supplier_id, a.status])).toEqual([[first, 'failed'], [second, expect.stringMatching(/submitted|accepted|confirmed/)]]);
      expect(attempts[0]?.failure_reason).toMatch(/stock/i);
      // The refused order holds nothing at the first source; the second holds exactly one.
      expect(sandbox(first).ordersFor(attempts[0]?.reference as string)).toBe(0);
      expect(sandbox(second).ordersFor(attempts[1]?.reference as string)).toBe(1);
      const rerouted = (await events(orderId)).find((e) => e.type === 'line.rerouted');
      expect(rerouted?.data).toMatchObject({ lineId: '1', from: first, to: second });
    } finally {
      sandbox(first).faults.reset();
    }
  });

  it('asks a source that could not answer again later, instead of failing the line as if nobody had it', async () => {
    const item = await itemFrom('physical', ['brand-acme']);
    const runOf = async (orderId: string) => (await sql<{ step: string; attempt: number; last_error: string | null }[]>(
      'select r.step, r.attempt, r.last_error from workflow_run r join order_line l on l.id = r.subject_id where l.order_id = ?', [orderId]))[0];
    // The only source answers 503 to everything while the line is routed.
    sandbox('brand-acme').faults.set({ errorRate: 1 });
    let orderId = '';
    try {
      orderId = await order(item);
      for (let i = 0; i < 100 && !(await runOf(orderId))?.last_error; i++) await sleep(50);
    } finally {
      sandbox('brand-acme').faults.reset();
    }
    // Nobody said "none": the step failed retryably and waits for its next attempt.
    expect(await runOf(orderId)).toMatchObject({ attempt: 1, last_error: expect.stringContaining('no source could be asked') });
    expect((await json(await hub.call('GET', `/v1/orders/${orderId}`, { token: mall.apiKey }))).lines[0].status).toBe('pending');
    const done = await settle(orderId, (o) => ['accepted', 'shipped', 'delivered', 'failed'].includes(o.lines[0].status), { hubMs: 2_000, supplierMs: 1_000 });
    expect(done.lines[0], JSON.stringify(done.lines[0])).toMatchObject({ status: 'accepted', source: 'brand-acme' });
    expect((await events(orderId)).map((e) => e.type)).not.toContain('refund.required');
  });

  it('fails the line and tells the mall what to refund when every source is out', async () => {
    const item = await itemFrom('physical', ['brand-lumen', 'jd']);
    for (const s of ['brand-lumen', 'jd']) sandbox(s).faults.set({ stockoutSkus: [item.offers[s] as string] });
    try {
      const orderId = await order(item, { quantity: 2 });
      const failed = await settle(orderId, (o) => o.lines[0].status === 'failed', { hubMs: 2_000, supplierMs: 1_000 });
      expect(failed).toMatchObject({ status: 'failed', lines: [{ status: 'failed', quantityFailed: 2, refunds: [{ points: item.points * 2, cashFen: item.cashFen * 2, units: 2 }] }] });
      const refund = (await events(orderId)).find((e) => e.type === 'refund.required');
      expect(refund?.data).toMatchObject({ orderId, lineId: '1', points: item.points * 2, cashFen: item.cashFen * 2 });
    } finally {
      for (const s of ['brand-lumen', 'jd']) sandbox(s).faults.reset();
    }
  });
});

describe('POST /v1/orders/{orderId}/cancel', () => {
  const cancel = (orderId: string, body: unknown) => hub.call('POST', `/v1/orders/${orderId}/cancel`, { token: mall.apiKey, body });

  it('cancels a line placed at a brand supplier there first, refunds it in the ledger and tells the mall', async () => {
    const item = await itemFrom('physical', ['brand-acme']);
    const orderId = await order(item);
    await settle(orderId, (o) => o.lines[0].status === 'accepted', { hubMs: 2_000, supplierMs: 1_000 });
    const res = await cancel(orderId, { reason: 'member changed their mind' });
    expect(res.status).toBe(200);
    const out = await json(res);
    expect(out.lines).toEqual([{ lineId: '1', result: 'cancelled' }]);
    expect(out.order).toMatchObject({ status: 'cancelled', lines: [{ status: 'cancelled', quantityCancelled: 1, refunds: [{ points: item.points, cashFen: item.cashFen, units: 1 }] }] });
    const [attempt] = await sql<{ supplier_order_id: string; status: string }[]>('select a.supplier_order_id, a.status from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ?', [orderId]);
    expect(attempt?.status).toBe('cancelled');
    // Compensated at the supplier: the brand's own order is cancelled.
    expect((await (hub.deps.connectors.get('brand-acme') as SupplierConnector).getOrder(attempt?.supplier_order_id as string)).status).toBe('cancelled');
    expect((await events(orderId)).map((e) => e.type)).toContain('line.cancelled');
    // The run stops: nothing moves the line again.
    const [run] = await sql<{ status: string }[]>('select r.status from workflow_run r join order_line l on l.id = r.subject_id where l.order_id = ?', [orderId]);
    expect(run?.status).toBe('cancelled');
  });

  it('answers not_cancellable for a line JD has confirmed, 404 for a line the order does not have, and changes nothing', async () => {
    const item = await itemFrom('physical', ['jd']);
    const orderId = await order(item);
    await settle(orderId, (o) => o.lines[0].status === 'accepted', { hubMs: 2_000, supplierMs: 1_000 });
    const before = await events(orderId);
    // A line the order does not have: the whole request is refused, naming it, before any line is touched.
    const unknown = await cancel(orderId, { lineIds: ['1', '9', '9'], reason: 'too late' });
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ error: { code: 'not_found', message: expect.stringContaining('9'), details: { lineIds: ['9'] } } });
    expect(await events(orderId)).toEqual(before);
    const out = await json(await cancel(orderId, { lineIds: ['1'], reason: 'too late' }));
    expect(out.lines[0]).toMatchObject({ lineId: '1', result: 'not_cancellable' });
    expect(out.lines[0].reason).toContain('after-sales');
    expect(out.order.lines[0].status).toBe('accepted');
    expect((await cancel('ord_nope', { reason: 'x' })).status).toBe(404);
    expect((await cancel(orderId, { reason: '' })).status).toBe(400);
  });
});

describe('dead letters', () => {
  it('lists a run given up after its last attempt and replays it once the supplier is back', async () => {
    const item = await itemFrom('virtual', ['topup-fulu', 'topup-yike']);
    for (const s of ['topup-fulu', 'topup-yike']) sandbox(s).faults.set({ errorRate: 1 });
    let orderId = '';
    try {
      orderId = await order(item, { virtual: true });
      const runOf = async () => (await sql<{ id: string; status: string }[]>('select r.id, r.status from workflow_run r join order_line l on l.id = r.subject_id where l.order_id = ?', [orderId]))[0];
      for (let i = 0; i < 60 && (await runOf())?.status !== 'dead'; i++) {
        hub.clock.advance(5_000);
        await processMaintenance({ task: 'wake-due-runs' }, { em: hub.deps.orm.em.fork(), clock: hub.clock, scheduleRun: runnerDeps(hub.deps).schedule });
        await sleep(150);
      }
      const run = await runOf();
      expect(run?.status).toBe('dead');
      const listed = await json(await hub.call('GET', `/admin/dead-letters?mallId=${mall.mallId}`, { token: ADMIN_TOKEN }));
      expect(listed.items.find((d: { runId: string }) => d.runId === run?.id)).toMatchObject({ workflow: 'issue-line', orderId, lineId: '1', step: 'submit-issuance', attempts: 4 });
      // Only an admin replays, and only a dead run.
      const agent = await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: 'a' } }));
      expect((await hub.call('POST', `/admin/dead-letters/${run?.id}/replay`, { token: agent.token })).status).toBe(403);
      for (const s of ['topup-fulu', 'topup-yike']) sandbox(s).faults.reset();
      expect((await hub.call('POST', `/admin/dead-letters/${run?.id}/replay`, { token: ADMIN_TOKEN })).status).toBe(202);
      expect((await hub.call('POST', `/admin/dead-letters/${run?.id}/replay`, { token: ADMIN_TOKEN })).status).toBe(409);
      const done = await settle(orderId, (o) => ['issued', 'failed'].includes(o.lines[0].status));
      expect(done.lines[0].status, JSON.stringify(done.lines[0])).toBe('issued');
    } finally {
      for (const s of ['topup-fulu', 'topup-yike']) sandbox(s).faults.reset();
    }
  });
});
