import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';
import { seedOrder } from '../support/seed-orders.ts';

/**
 * Staff settle tickets: resolve with an action (refund, reject), an agent's refund above the limit
 * waiting for an admin (403 for an agent approving), two staff at once (one wins, one 409, one
 * refund), and refusals that write nothing. Each action is audited and told to the mall once.
 */

const DAY = 24 * 3600_000;
let hub: TestHub;
let mall: { mallId: string; apiKey: string };
let agent: string;
let admin: string;

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const staff = (method: string, path: string, token: string, body?: unknown) => hub.call(method, path, { token, body });

/** A delivered order of one 3-unit line paid 30 000 points and 9 000 fen, with a ticket of `type` on `quantity` units. */
async function ticket(type = 'damaged', quantity = 1): Promise<{ ticketId: string; orderId: string; lineRowId: string }> {
  const o = await seedOrder(hub, mall.mallId, { lines: 1, kind: 'physical' });
  const at = new Date(hub.clock.now().getTime() - DAY);
  await sql("update order_line set quantity = 3, qty_fulfilled = 3, points_paid = 30000, cash_paid_fen = 9000, status = 'delivered', updated_at = ? where id = ?", [at, o.lineIds[0]]);
  const r = await hub.call('POST', `/v1/orders/${o.orderId}/after-sales`, { token: mall.apiKey, body: { lineId: '1', type, reason: '有问题', quantity }, headers: { 'idempotency-key': `k-${o.orderId}` } });
  expect(r.status).toBe(201);
  return { ticketId: (await json(r)).ticketId as string, orderId: o.orderId, lineRowId: o.lineIds[0] as string };
}

/** What a ticket has written so far: ledger refunds, refund and ticket events to the mall, audit entries, history. */
async function written(t: { ticketId: string; orderId: string; lineRowId: string }) {
  const [r] = await sql<{ refunds: number; told: number; updates: number; audits: number; history: number }[]>(
    `select (select count(*)::int from ledger_entry where line_id = ? and entry = 'refund') refunds,
            (select count(*)::int from mall_event where order_id = ? and type = 'refund.required') told,
            (select count(*)::int from mall_event where order_id = ? and type = 'aftersale.updated') updates,
            (select count(*)::int from audit_entry where resource_id = ?) audits,
            (select count(*)::int from aftersale_ticket_event where ticket_id = ?) history`,
    [t.lineRowId, t.orderId, t.orderId, t.ticketId, t.ticketId],
  );
  return r as { refunds: number; told: number; updates: number; audits: number; history: number };
}

beforeAll(async () => {
  // An agent may refund up to 15 000 points and 5 000 fen on their own.
  hub = await startTestHub({ env: { HUB_AGENT_REFUND_LIMIT_POINTS: '15000', HUB_AGENT_REFUND_LIMIT_FEN: '5000' } });
  mall = await hub.createMall('售后商城');
  agent = (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: '客服：王芳' } }))).token;
  admin = (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'admin', name: '运营：李强' } }))).token;
});
afterAll(() => hub?.close());

describe('POST /admin/tickets/{ticketId}/resolve', () => {
  it('an agent refunds a unit within the limit: ledger, refund.required with the ticket, the resolution to the mall, audited', async () => {
    const t = await ticket();
    const r = await staff('POST', `/admin/tickets/${t.ticketId}/resolve`, agent, { action: 'refund', units: 1, note: '破损属实，退还积分', expectedVersion: 1 });
    expect(r.status).toBe(200);
    const body = await json(r);
    expect(body.outcome).toBe('resolved');
    expect(body.ticket).toMatchObject({ status: 'resolved', waitingOn: null, resolution: { action: 'refund', units: 1, by: 'staff', refund: { points: 10000, cashFen: 3000 }, note: '破损属实，退还积分' } });
    const [refund] = await sql<{ units: number; points: number; fen: number; ref: string }[]>("select units, points, fen, ref from ledger_entry where line_id = ? and entry = 'refund'", [t.lineRowId]);
    expect(refund).toEqual({ units: 1, points: -10000, fen: -3000, ref: `ticket:${t.ticketId}` });
    const told = await sql<{ data: Record<string, unknown> }[]>("select data from mall_event where order_id = ? and type = 'refund.required'", [t.orderId]);
    expect(told.map((e) => e.data)).toEqual([expect.objectContaining({ lineId: '1', units: 1, points: 10000, cashFen: 3000, ticketId: t.ticketId })]);
    const [update] = await sql<{ data: Record<string, any> }[]>("select data from mall_event where order_id = ? and type = 'aftersale.updated' and data->>'change' = 'resolved'", [t.orderId]);
    expect(update?.data.resolution).toMatchObject({ action: 'refund', units: 1, refund: { points: 10000, cashFen: 3000 } });
    const [audit] = await sql<{ action: string; actor_type: string; before: any; after: any; request_id: string | null }[]>("select action, actor_type, before, after, request_id from audit_entry where resource_id = ? and action = 'ticket.resolve'", [t.ticketId]);
    expect(audit).toMatchObject({ action: 'ticket.resolve', actor_type: 'agent', before: { status: 'open', version: 1 }, after: { status: 'resolved' } });
    expect(audit?.request_id).toBeTruthy();
    // The mall reads the resolution on the ticket; the line keeps its other units.
    const mallView = await json(await hub.call('GET', `/v1/after-sales/${t.ticketId}`, { token: mall.apiKey }));
    expect(mallView).toMatchObject({ status: 'resolved', resolution: { action: 'refund', refund: { points: 10000, cashFen: 3000 } } });
    expect(mallView.history.at(-1)).toMatchObject({ kind: 'resolved', actor: 'staff' });
    const [line] = await sql<{ status: string }[]>('select status from order_line where id = ?', [t.lineRowId]);
    expect(line?.status).toBe('delivered');
    // The staff's ticket page carries the order's timeline: the ticket, its refund, the staff action.
    const detail = await json(await staff('GET', `/admin/tickets/${t.ticketId}`, agent));
    const sources = new Set((detail.order.timeline as { source: string }[]).map((e) => e.source));
    expect([...sources]).toEqual(expect.arrayContaining(['line', 'ticket', 'refund', 'staff']));
  });

  it('rejects a claim with the reason the mall reads, and no money moves', async () => {
    const t = await ticket('wrong_item');
    const r = await staff('POST', `/admin/tickets/${t.ticketId}/resolve`, agent, { action: 'reject', note: '照片显示商品与订单一致' });
    expect(r.status).toBe(200);
    expect((await json(r)).ticket).toMatchObject({ status: 'rejected', resolution: { action: 'reject', units: 0, by: 'staff', note: '照片显示商品与订单一致' } });
    expect((await written(t)).refunds).toBe(0);
  });

  it('refuses with nothing written: more units than the ticket, an action unfit for goods, a stale version, a ticket already settled, an unknown ticket', async () => {
    const t = await ticket('damaged', 2);
    const before = await written(t);
    const refuse = async (body: Record<string, unknown>, status: number, code: string, reason?: string) => {
      const r = await staff('POST', `/admin/tickets/${t.ticketId}/resolve`, agent, body);
      const b = await json(r);
      expect({ status: r.status, code: b.error.code, reason: b.error.details?.reason }).toEqual({ status, code, reason });
      expect(await written(t)).toEqual(before);
    };
    await refuse({ action: 'refund', units: 3 }, 422, 'not_eligible', 'quantity_exceeded');
    await refuse({ action: 'reissue' }, 422, 'not_eligible', 'action_unfit');
    await refuse({ action: 'refund', units: 1, expectedVersion: 7 }, 409, 'conflict', undefined);
    await refuse({ action: 'refund', units: 0 }, 400, 'validation_failed', undefined);
    await refuse({ action: 'give_money' }, 400, 'validation_failed', undefined);
    expect((await staff('POST', '/admin/tickets/ast_00000000000000000000000000000000/resolve', agent, { action: 'reject' })).status).toBe(404);
    expect((await hub.call('POST', `/admin/tickets/${t.ticketId}/resolve`, { token: mall.apiKey, body: { action: 'reject' } })).status).toBe(401);
    expect((await staff('POST', `/admin/tickets/${t.ticketId}/resolve`, agent, { action: 'reject' })).status).toBe(200);
    const settled = await written(t);
    const again = await staff('POST', `/admin/tickets/${t.ticketId}/resolve`, admin, { action: 'refund', units: 1 });
    expect(again.status).toBe(409);
    expect(await written(t)).toEqual(settled);
  });

  it('two staff resolving one ticket at once: one wins, the other gets 409, and the unit is refunded and told once', async () => {
    const t = await ticket('damaged', 1);
    const results = await Promise.all([
      staff('POST', `/admin/tickets/${t.ticketId}/resolve`, agent, { action: 'refund', units: 1, expectedVersion: 1 }),
      staff('POST', `/admin/tickets/${t.ticketId}/resolve`, admin, { action: 'refund', units: 1, expectedVersion: 1 }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await written(t)).toMatchObject({ refunds: 1, told: 1 });
    // Without a version too: the ticket is locked, the second sees it settled.
    const u = await ticket('missing_item', 1);
    const racing = await Promise.all([
      staff('POST', `/admin/tickets/${u.ticketId}/resolve`, agent, { action: 'refund', units: 1 }),
      staff('POST', `/admin/tickets/${u.ticketId}/resolve`, agent, { action: 'refund', units: 1 }),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await written(u)).toMatchObject({ refunds: 1, told: 1 });
  });
});

describe('refunds above an agent’s limit', () => {
  it('become a request an admin approves; an agent approving gets 403; the refund is made once, on approval', async () => {
    const t = await ticket('damaged', 2); // 2 units: 20 000 points and 6 000 fen, above both limits
    const r = await staff('POST', `/admin/tickets/${t.ticketId}/resolve`, agent, { action: 'refund', units: 2, note: '两件都破损' });
    expect(r.status).toBe(202);
    const asked = await json(r);
    expect(asked.outcome).toBe('approval_requested');
    expect(asked.ticket).toMatchObject({ status: 'in_progress', waitingOn: 'approval', approval: { refund: { points: 20000, cashFen: 6000 }, units: 2 } });
    expect((await written(t)).refunds).toBe(0);
    // The agent cannot approve, nor decide again meanwhile.
    const denied = await staff('POST', `/admin/tickets/${t.ticketId}/approve`, agent, {});
    expect(denied.status).toBe(403);
    expect((await json(denied)).error.code).toBe('forbidden');
    expect((await staff('POST', `/admin/tickets/${t.ticketId}/resolve`, agent, { action: 'refund', units: 1 })).status).toBe(409);
    expect((await written(t)).refunds).toBe(0);
    // The admin approves: refunded once, resolved, audited as both the approval and the resolution.
    const ok = await staff('POST', `/admin/tickets/${t.ticketId}/approve`, admin, { note: '已核实' });
    expect(ok.status).toBe(200);
    expect(await json(ok)).toMatchObject({ status: 'resolved', approval: null, resolution: { action: 'refund', units: 2, refund: { points: 20000, cashFen: 6000 }, note: '两件都破损' } });
    expect(await written(t)).toMatchObject({ refunds: 1, told: 1 });
    expect((await staff('POST', `/admin/tickets/${t.ticketId}/approve`, admin, {})).status).toBe(409);
    const actions = (await sql<{ action: string; actor_type: string }[]>('select action, actor_type from audit_entry where resource_id = ? order by id', [t.ticketId])).map((a) => `${a.actor_type}:${a.action}`);
    expect(actions).toEqual(['agent:ticket.request_approval', 'admin:ticket.approve', 'admin:ticket.resolve']);
  });

  it('an admin declines: the ticket goes back to the agents, nothing refunded; an admin’s own refund needs no approval', async () => {
    const t = await ticket('damaged', 2);
    expect((await staff('POST', `/admin/tickets/${t.ticketId}/resolve`, agent, { action: 'refund', units: 2 })).status).toBe(202);
    const d = await staff('POST', `/admin/tickets/${t.ticketId}/decline`, admin, { note: '只退一件' });
    expect(d.status).toBe(200);
    expect(await json(d)).toMatchObject({ status: 'in_progress', waitingOn: 'agent', approval: null });
    expect((await written(t)).refunds).toBe(0);
    const full = await staff('POST', `/admin/tickets/${t.ticketId}/resolve`, admin, { action: 'refund', units: 2 });
    expect(full.status).toBe(200);
    expect((await written(t)).refunds).toBe(1);
  });
});
