import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { itemFrom } from '../support/catalog-items.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';
import { seedOrder } from '../support/seed-orders.ts';
import { settleOrder } from '../support/settle.ts';
import { startWorkflowHub, type WorkflowHub } from '../support/workflow-hub.ts';

/**
 * POST /admin/orders/{orderId}/actions/{retry|reroute|cancel|refund}: each action's effect and its
 * audit entry, and the refusals (unknown order or line, bad input, too many units, an agent over
 * the refund limit, a line in the wrong state) answered before anything is written.
 */

const token = async (hub: TestHub, role: 'agent' | 'admin') => (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role, name: `${role}-${randomBytes(3).toString('hex')}` } }))).token as string;
const sqlOf = (hub: TestHub) => <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);

/** What an action may write about an order: ledger, mall events, audit entries, its lines and their runs. */
async function footprint(hub: TestHub, orderId: string) {
  const sql = sqlOf(hub);
  const [counts] = await sql<{ ledger: number; events: number; audits: number }[]>(
    `select (select count(*)::int from ledger_entry where order_id = ?) ledger, (select count(*)::int from mall_event where order_id = ?) events,
            (select count(*)::int from audit_entry where resource_id = ?) audits`,
    [orderId, orderId, orderId],
  );
  const lines = await sql('select line_id, status, qty_fulfilled from order_line where order_id = ? order by line_id', [orderId]);
  const runs = await sql('select r.id, r.status, r.step, r.state, r.wakes from workflow_run r join order_line l on l.id = r.subject_id where l.order_id = ? order by r.id', [orderId]);
  const attempts = await sql('select a.id, a.status, a.supplier_order_id from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? order by a.id', [orderId]);
  return { counts, lines, runs, attempts };
}

const auditsOf = (hub: TestHub, orderId: string) =>
  sqlOf(hub)<{ action: string; actor_type: string; resource_type: string; before: any; after: any; request_id: string }[]>(
    'select action, actor_type, resource_type, before, after, request_id from audit_entry where resource_id = ? order by at, id',
    [orderId],
  );

describe('without workers', () => {
  let hub: TestHub;
  let mallId: string;
  let agent: string;
  let admin: string;
  let sql: ReturnType<typeof sqlOf>;
  const act = (orderId: string, action: string, body: unknown, who: string, requestId?: string) =>
    hub.call('POST', `/admin/orders/${orderId}/actions/${action}`, { token: who, body, headers: requestId ? { 'x-request-id': requestId } : {} });

  beforeAll(async () => {
    hub = await startTestHub();
    mallId = (await hub.createMall('退款商城')).mallId;
    agent = await token(hub, 'agent');
    admin = await token(hub, 'admin');
    sql = sqlOf(hub);
  });
  afterAll(() => hub?.close());

  /** An order of two lines: line 1 delivered, 3 units for 60 000 points and 300 fen (20 000 points and 100 fen a unit); line 2 pending. */
  async function deliveredOrder() {
    const o = await seedOrder(hub, mallId, { lines: 2, kind: 'physical' });
    await sql("update order_line set quantity = 3, points_paid = 60000, cash_paid_fen = 300, qty_fulfilled = 3, status = 'delivered' where id = ?", [o.lineIds[0]]);
    await sql("update mall_order set status = 'in_progress' where id = ?", [o.orderId]);
    return o;
  }

  /** A run of the line's workflow in a given state, as the engine would have left it. */
  async function runFor(lineId: string, status: string, step: string) {
    const id = `wfr_${randomBytes(8).toString('hex')}`;
    const now = hub.clock.now();
    await sql(
      `insert into workflow_run (id, workflow, subject_id, tenant, status, step, state, attempt, wakes, next_run_at, last_error, created_at, updated_at)
       values (?, 'fulfil-line', ?, ?, ?, ?, '{}', 4, 3, ?, 'jd timeout', ?, ?)`,
      [id, lineId, mallId, status, step, status === 'waiting' ? new Date(now.getTime() + 3600_000) : null, now, now],
    );
    return id;
  }

  describe('refund', () => {
    it('an agent refunds within the limit: ledger, refund.required, audit; a repeat of the request writes nothing more', async () => {
      const o = await deliveredOrder();
      const res = await act(o.orderId, 'refund', { lineId: '1', units: 1, reason: '商品破损，协商退款' }, agent, 'req-refund-1');
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({ orderId: o.orderId, lineId: '1', units: 1, points: 20000, cashFen: 100, ref: 'staff:req-refund-1', repeated: false });
      const [ledger] = await sql<{ units: number; points: number; fen: number; ref: string }[]>("select units, points, fen, ref from ledger_entry where line_id = ? and entry = 'refund'", [o.lineIds[0]]);
      expect(ledger).toEqual({ units: 1, points: -20000, fen: -100, ref: 'staff:req-refund-1' });
      const [event] = await sql<{ data: any }[]>("select data from mall_event where order_id = ? and type = 'refund.required'", [o.orderId]);
      expect(event?.data).toMatchObject({ lineId: '1', units: 1, points: 20000, cashFen: 100, reason: '商品破损，协商退款' });
      const audits = await auditsOf(hub, o.orderId);
      expect(audits).toEqual([
        expect.objectContaining({ action: 'order.refund', actor_type: 'agent', resource_type: 'mall_order', request_id: 'req-refund-1', before: { lineId: '1', lineStatus: 'delivered', unitsRefunded: 0 }, after: expect.objectContaining({ lineId: '1', units: 1, points: 20000, cashFen: 100, ref: 'staff:req-refund-1' }) }),
      ]);

      const before = await footprint(hub, o.orderId);
      const again = await act(o.orderId, 'refund', { lineId: '1', units: 1, reason: '商品破损，协商退款' }, agent, 'req-refund-1');
      expect(again.status).toBe(200);
      expect(await json(again)).toMatchObject({ units: 1, points: 20000, cashFen: 100, repeated: true });
      expect(await footprint(hub, o.orderId)).toEqual(before);
      // The same request id for another line is a mistake, not a repeat.
      const reused = await act(o.orderId, 'refund', { lineId: '2', units: 1, reason: 'x' }, admin, 'req-refund-1');
      expect(reused.status).toBe(409);
      expect(await footprint(hub, o.orderId)).toEqual(before);
    });

    it('an agent above the limit gets 403 (an admin must do it), which an admin then does; then no units are left (422)', async () => {
      const o = await deliveredOrder();
      const before = await footprint(hub, o.orderId);
      const over = await act(o.orderId, 'refund', { lineId: '1', units: 2, reason: '整单退款' }, agent);
      expect(over.status).toBe(403);
      expect((await json(over)).error).toEqual({
        code: 'forbidden',
        message: expect.stringContaining('an admin must make it'),
        details: { limit: { points: 20000, cashFen: 20000 }, refund: { points: 40000, cashFen: 200 }, requiredRole: 'admin' },
      });
      expect(await footprint(hub, o.orderId)).toEqual(before);

      const ok = await act(o.orderId, 'refund', { lineId: '1', units: 3, reason: '整单退款' }, admin);
      expect(ok.status).toBe(200);
      expect(await json(ok)).toMatchObject({ units: 3, points: 60000, cashFen: 300, repeated: false });
      // Every unit refunded: the line is refunded.
      expect((await sql<{ status: string }[]>('select status from order_line where id = ?', [o.lineIds[0]]))[0]?.status).toBe('refunded');
      expect((await auditsOf(hub, o.orderId)).map((a) => [a.action, a.actor_type])).toEqual([['order.refund', 'admin']]);

      const after = await footprint(hub, o.orderId);
      const tooMany = await act(o.orderId, 'refund', { lineId: '1', units: 1, reason: '再退一次' }, admin);
      expect(tooMany.status).toBe(422);
      expect((await json(tooMany)).error).toMatchObject({ code: 'not_eligible', details: { reason: 'quantity_exceeded', lineId: '1', asked: 1, left: 0 } });
      expect(await footprint(hub, o.orderId)).toEqual(after);
    });

    it('refuses, changing nothing: more units than the line has, a line still being fulfilled, an unknown line or order, bad bodies', async () => {
      const o = await deliveredOrder();
      const before = await footprint(hub, o.orderId);
      const refusals: [string, unknown, number, string?][] = [
        [o.orderId, { lineId: '1', units: 4, reason: 'x' }, 422, 'quantity_exceeded'],
        [o.orderId, { lineId: '2', units: 1, reason: 'x' }, 422, 'line_status'],
        [o.orderId, { lineId: '9', units: 1, reason: 'x' }, 404],
        ['ord_nope', { lineId: '1', units: 1, reason: 'x' }, 404],
        [o.orderId, { lineId: '1', units: 0, reason: 'x' }, 400],
        [o.orderId, { lineId: '1', units: 1.5, reason: 'x' }, 400],
        [o.orderId, { lineId: '1', units: 1 }, 400],
        [o.orderId, { lineId: '1', units: 1, reason: 'x', points: 1 }, 400],
      ];
      for (const [orderId, body, status, reason] of refusals) {
        const res = await act(orderId, 'refund', body, admin);
        expect({ body, status: res.status }).toEqual({ body, status });
        if (reason) expect((await json(res)).error.details.reason).toBe(reason);
      }
      expect(await footprint(hub, o.orderId)).toEqual(before);
    });
  });

  describe('retry', () => {
    it('replays a dead run and wakes a waiting one, each audited; anything else is 409 with the run’s state', async () => {
      const o = await deliveredOrder();
      const dead = await runFor(o.lineIds[0] as string, 'dead', 'submit-order');
      const waiting = await runFor(o.lineIds[1] as string, 'waiting', 'await-shipment');

      const r1 = await act(o.orderId, 'retry', { lineId: '1' }, agent, 'req-retry-1');
      expect(r1.status).toBe(202);
      expect(await json(r1)).toEqual({ orderId: o.orderId, lineId: '1', runId: dead, action: 'replayed', runStatus: 'waiting' });
      expect((await sql('select status, attempt, wakes from workflow_run where id = ?', [dead]))[0]).toEqual({ status: 'waiting', attempt: 0, wakes: 4 });

      const r2 = await act(o.orderId, 'retry', { lineId: '2' }, admin);
      expect(r2.status).toBe(202);
      expect(await json(r2)).toMatchObject({ runId: waiting, action: 'woken', runStatus: 'waiting' });
      const [woken] = await sql<{ next_run_at: Date; wakes: number }[]>('select next_run_at, wakes from workflow_run where id = ?', [waiting]);
      expect(new Date(woken?.next_run_at as Date).getTime()).toBe(hub.clock.now().getTime());
      expect(woken?.wakes).toBe(4);

      expect((await auditsOf(hub, o.orderId)).map((a) => ({ action: a.action, actor: a.actor_type, before: a.before.status, after: a.after.action, requestId: a.request_id }))).toEqual([
        { action: 'order.retry', actor: 'agent', before: 'dead', after: 'replayed', requestId: 'req-retry-1' },
        { action: 'order.retry', actor: 'admin', before: 'waiting', after: 'woken', requestId: expect.any(String) },
      ]);

      await sql("update workflow_run set status = 'succeeded' where id = ?", [dead]);
      const before = await footprint(hub, o.orderId);
      const refused = await act(o.orderId, 'retry', { lineId: '1' }, agent);
      expect(refused.status).toBe(409);
      expect((await json(refused)).error).toMatchObject({ code: 'conflict', details: { runId: dead, status: 'succeeded', step: 'submit-order' } });
      for (const [orderId, body, status] of [[o.orderId, { lineId: '9' }, 404], ['ord_nope', { lineId: '1' }, 404], [o.orderId, {}, 400], [o.orderId, { lineId: '1', force: true }, 400]] as const) {
        expect((await act(orderId, 'retry', body, agent)).status).toBe(status);
      }
      expect(await footprint(hub, o.orderId)).toEqual(before);
    });

    it('409 for a line without a run', async () => {
      const o = await deliveredOrder();
      const res = await act(o.orderId, 'retry', { lineId: '1' }, agent);
      expect(res.status).toBe(409);
      expect(await auditsOf(hub, o.orderId)).toEqual([]);
    });
  });

  it('reroute refuses a line shipped or delivered (422 line_status) and an unknown line (404), changing nothing', async () => {
    const o = await deliveredOrder();
    const before = await footprint(hub, o.orderId);
    const res = await act(o.orderId, 'reroute', { lineId: '1' }, agent);
    expect(res.status).toBe(422);
    expect((await json(res)).error).toMatchObject({ code: 'not_eligible', details: { reason: 'line_status', lineId: '1', lineStatus: 'delivered' } });
    expect((await act(o.orderId, 'reroute', { lineId: '9' }, agent)).status).toBe(404);
    expect((await act(o.orderId, 'reroute', { lineId: '1', supplierId: '' }, agent)).status).toBe(400);
    expect(await footprint(hub, o.orderId)).toEqual(before);
  });

  it('every action is for staff: a mall key is 401', async () => {
    const o = await deliveredOrder();
    const { apiKey } = await hub.createMall('别的商城');
    for (const [action, body] of [['retry', { lineId: '1' }], ['reroute', { lineId: '1' }], ['cancel', { reason: 'x' }], ['refund', { lineId: '1', units: 1, reason: 'x' }]] as const) {
      expect({ action, status: (await act(o.orderId, action, body, apiKey)).status }).toEqual({ action, status: 401 });
    }
  });
});

describe('with the suppliers (sandboxes) and workers', () => {
  let wf: WorkflowHub;
  let hub: TestHub;
  let mall: { mallId: string; apiKey: string };
  let agent: string;
  let sql: ReturnType<typeof sqlOf>;
  const recipient = { name: '赵六', phone: '13500135000', province: '北京', city: '北京市', district: '海淀区', address: '中关村大街 27 号' };
  let n = 0;

  beforeAll(async () => {
    wf = await startWorkflowHub({
      seed: 77,
      suppliers: ['jd', 'brand-acme'],
      mallName: '改派商城',
      env: { HUB_SHIPMENT_POLL_MS: '1000', HUB_WORKFLOW_BACKOFF_MS: '100', HUB_WORKFLOW_MAX_ATTEMPTS: '4', HUB_SUPPLIER_TIMEOUT_MS: '1500' },
    });
    ({ hub, mall } = wf);
    agent = await token(hub, 'agent');
    sql = sqlOf(hub);
  }, 120_000);
  afterAll(async () => {
    for (const s of wf?.sandboxes ?? []) s.faults.reset();
    await wf?.close();
  });

  const act = (orderId: string, action: string, body: unknown, who = agent) => hub.call('POST', `/admin/orders/${orderId}/actions/${action}`, { token: who, body });
  const settle = (orderId: string, done: (o: Record<string, any>) => boolean) => settleOrder({ hub, sandboxClock: wf.sandboxClock, apiKey: mall.apiKey }, orderId, done, { hubMs: 2_000, supplierMs: 1_000 });

  async function order(item: { skuId: string; points: number; cashFen: number }) {
    const res = await hub.call('POST', '/v1/orders', {
      token: mall.apiKey,
      headers: { 'idempotency-key': `act-${++n}` },
      body: { mallOrderId: `ACT-${n}`, member: { id: 'm-1' }, recipient, lines: [{ lineId: '1', skuId: item.skuId, quantity: 1, pointsPaid: item.points, cashPaidFen: item.cashFen }] },
    });
    expect(res.status).toBe(201);
    return (await json(res)).orderId as string;
  }
  const attempts = (orderId: string) =>
    sql<{ id: string; seq: number; supplier_id: string; status: string; supplier_order_id: string | null; failure_reason: string | null }[]>(
      'select a.id, a.seq, a.supplier_id, a.status, a.supplier_order_id, a.failure_reason from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? order by a.seq',
      [orderId],
    );

  it('reroutes a line accepted at one source to the named one: cancelled there first, placed at the other, costed, told to the mall, audited', async () => {
    const item = await itemFrom(hub, mall.mallId, 'physical', ['brand-acme', 'jd'], recipient);
    // The line goes to brand-acme first: JD says it has none while the line is routed.
    wf.sandbox('jd').faults.set({ stockoutSkus: [item.offers.jd as string] });
    const orderId = await order(item);
    try {
      await settle(orderId, (o) => o.lines[0].status === 'accepted');
    } finally {
      wf.sandbox('jd').faults.reset();
    }
    const [first] = await attempts(orderId);
    expect(first).toMatchObject({ supplier_id: 'brand-acme', status: 'accepted' });

    // A source that does not offer the item: 422, nothing changed.
    const before = await footprint(hub, orderId);
    const unknown = await act(orderId, 'reroute', { lineId: '1', supplierId: 'taobao' });
    expect(unknown.status).toBe(422);
    expect((await json(unknown)).error).toMatchObject({ code: 'not_eligible', details: { reason: 'source_cannot_sell', lineId: '1', supplierId: 'taobao' } });
    expect(await footprint(hub, orderId)).toEqual(before);

    const res = await act(orderId, 'reroute', { lineId: '1', supplierId: 'jd', reason: '品牌方发货慢，改京东' });
    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ orderId, lineId: '1', previousSource: 'brand-acme', previousAttempt: 'cancelled', requestedSource: 'jd' });
    // Cancelled at brand-acme first.
    expect((await (hub.deps.connectors.get('brand-acme') as SupplierConnector).getOrder(first?.supplier_order_id as string)).status).toBe('cancelled');
    expect((await attempts(orderId))[0]).toMatchObject({ status: 'cancelled', failure_reason: 'rerouted by staff: 品牌方发货慢，改京东' });
    expect((await auditsOf(hub, orderId)).map((a) => [a.action, a.actor_type, a.before.source, a.after.requestedSource])).toEqual([['order.reroute', 'agent', 'brand-acme', 'jd']]);

    // Placed at JD, confirmed there, its cost booked; the line says so, and the mall heard of the reroute.
    const done = await settle(orderId, (o) => o.lines[0].source === 'jd');
    expect(done.lines[0]).toMatchObject({ status: 'accepted', source: 'jd' });
    // JD's confirmation follows its submit in the same job.
    for (let i = 0; i < 100 && (await attempts(orderId))[1]?.status !== 'accepted'; i++) await new Promise((r) => setTimeout(r, 100));
    const second = (await attempts(orderId))[1];
    expect(second).toMatchObject({ seq: 2, supplier_id: 'jd', status: 'accepted' });
    const costs = await sql<{ supplier_id: string }[]>("select supplier_id from ledger_entry where order_id = ? and entry = 'supplier_cost' order by id", [orderId]);
    expect(costs.map((c) => c.supplier_id)).toEqual(['brand-acme', 'jd']);
    const rerouted = await sql<{ data: any }[]>("select data from mall_event where order_id = ? and type = 'line.rerouted'", [orderId]);
    expect(rerouted.map((e) => e.data)).toEqual([expect.objectContaining({ lineId: '1', from: 'brand-acme', to: 'jd', reason: 'rerouted by staff: 品牌方发货慢，改京东' })]);

    // Every source tried: routing has nowhere else to go (422). Back to brand-acme by name: JD has
    // confirmed its order and cannot cancel it (409). Neither changes anything.
    const settled = await footprint(hub, orderId);
    const nowhere = await act(orderId, 'reroute', { lineId: '1' });
    expect(nowhere.status).toBe(422);
    expect((await json(nowhere)).error.details).toMatchObject({ reason: 'no_other_source' });
    const back = await act(orderId, 'reroute', { lineId: '1', supplierId: 'brand-acme' });
    expect(back.status).toBe(409);
    expect((await json(back)).error.message).toContain('can no longer cancel');
    const after = await footprint(hub, orderId);
    expect({ ...after, runs: after.runs.map((r: any) => ({ ...r, state: { ...r.state } })) }).toEqual(settled);
  });

  it('cancels lines as the mall would, on staff’s word, audited with each line’s result; an unknown line is 404 and cancels nothing', async () => {
    const item = await itemFrom(hub, mall.mallId, 'physical', ['brand-acme'], recipient);
    const orderId = await order(item);
    await settle(orderId, (o) => o.lines[0].status === 'accepted');
    const before = await footprint(hub, orderId);
    const unknown = await act(orderId, 'cancel', { lineIds: ['1', '9'], reason: '会员致电取消' });
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error).toMatchObject({ code: 'not_found', details: { lineIds: ['9'] } });
    expect((await act(orderId, 'cancel', { reason: '' })).status).toBe(400);
    expect((await act('ord_nope', 'cancel', { reason: 'x' })).status).toBe(404);
    expect(await footprint(hub, orderId)).toEqual(before);

    const res = await act(orderId, 'cancel', { reason: '会员致电取消' });
    expect(res.status).toBe(200);
    const out = await json(res);
    expect(out.lines).toEqual([{ lineId: '1', result: 'cancelled' }]);
    expect(out.order).toMatchObject({ status: 'cancelled', lines: [{ status: 'cancelled', quantityCancelled: 1 }] });
    const types = (await sql<{ type: string }[]>('select type from mall_event where order_id = ? order by seq', [orderId])).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['line.cancelled', 'order.cancelled']));
    // Staff's word first (committed before the supplier is asked), then what came of it; the refused
    // requests above (unknown line, no reason, unknown order) left none.
    expect(await auditsOf(hub, orderId)).toEqual([
      expect.objectContaining({ action: 'order.cancel_requested', actor_type: 'agent', before: { lines: [{ lineId: '1', status: 'accepted' }] }, after: { reason: '会员致电取消', lineIds: null } }),
      expect.objectContaining({ action: 'order.cancel', actor_type: 'agent', before: { lines: [{ lineId: '1', status: 'accepted' }] }, after: expect.objectContaining({ reason: '会员致电取消', lines: [{ lineId: '1', result: 'cancelled' }] }) }),
    ]);
  });
});
