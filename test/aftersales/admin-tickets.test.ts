import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MALL_EVENT_SCHEMAS } from '../../src/mall-webhooks/event-schemas.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';
import { seedOrder } from '../support/seed-orders.ts';

/** The staff's after-sales API: the list and its filters, masking by role, assign and comment with history, audit, events and optimistic versions. */

const DAY = 24 * 3600_000;
const RECIPIENT = { name: '张三', phone: '13812345678', province: '北京', city: '北京市', district: '朝阳区', address: '建国路 88 号 2 单元 301' };
let hub: TestHub;
let mall: { mallId: string; apiKey: string };
let agent: string;
let admin: string;

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const staff = (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) => hub.call(method, path, { token, body, headers });

/** A delivered order of one 3-unit line with a sealed recipient, and a ticket of `type` opened on it by the mall. */
async function ticketOf(m: { mallId: string; apiKey: string }, type = 'damaged'): Promise<{ ticketId: string; orderId: string }> {
  const o = await seedOrder(hub, m.mallId, { lines: 1, kind: 'physical' });
  const at = new Date(hub.clock.now().getTime() - DAY);
  await sql("update order_line set quantity = 3, qty_fulfilled = 3, status = 'delivered', updated_at = ? where id = ?", [at, o.lineIds[0]]);
  await sql('update mall_order set recipient = ? where id = ?', [JSON.stringify(hub.deps.crypto.seal(JSON.stringify(RECIPIENT))), o.orderId]);
  const r = await hub.call('POST', `/v1/orders/${o.orderId}/after-sales`, { token: m.apiKey, body: { lineId: '1', type, reason: '有问题', quantity: 1 }, headers: { 'idempotency-key': `k-${o.orderId}-${type}` } });
  expect(r.status).toBe(201);
  return { ticketId: (await json(r)).ticketId as string, orderId: o.orderId };
}

const counts = async (ticketId: string) => {
  const [r] = await sql<{ history: number; audits: number; events: number }[]>(
    `select (select count(*)::int from aftersale_ticket_event where ticket_id = ?) history,
            (select count(*)::int from audit_entry where resource_id = ?) audits,
            (select count(*)::int from mall_event where type = 'aftersale.updated' and data->>'ticketId' = ?) events`,
    [ticketId, ticketId, ticketId],
  );
  return r as { history: number; audits: number; events: number };
};
const audits = (ticketId: string) =>
  sql<{ action: string; actor_type: string; actor_id: string; before: any; after: any; request_id: string | null }[]>('select action, actor_type, actor_id, before, after, request_id from audit_entry where resource_id = ? order by at, id', [ticketId]);

beforeAll(async () => {
  hub = await startTestHub();
  mall = await hub.createMall('售后商城');
  agent = (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: '客服：王芳' } }))).token;
  admin = (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'admin', name: '运营：李强' } }))).token;
});
afterAll(() => hub?.close());

describe('GET /admin/tickets/{ticketId}', () => {
  it('an agent reads the recipient masked, with nothing audited; an admin reads it in full and the read is audited', async () => {
    const { ticketId, orderId } = await ticketOf(mall);
    await staff('POST', `/admin/tickets/${ticketId}/comment`, agent, { text: '内部备注：联系供应商' });
    const before = await counts(ticketId);

    const a = await staff('GET', `/admin/tickets/${ticketId}`, agent);
    expect(a.status).toBe(200);
    const asAgent = await json(a);
    expect(asAgent).toMatchObject({ ticketId, orderId, mallId: mall.mallId, status: 'in_progress', version: 2 });
    expect(asAgent.order.recipient).toEqual({ name: '张*', phone: '138****5678', province: '北京', city: '北京市', district: '朝阳区', address: '****', masked: true });
    expect(asAgent.order.lines).toEqual([expect.objectContaining({ lineId: '1', status: 'delivered', quantity: 3, qtyFulfilled: 3 })]);
    expect(asAgent.history.map((h: any) => [h.kind, h.visibleToMall])).toEqual([['opened', true], ['comment', false]]);
    expect(JSON.stringify(asAgent)).not.toContain('13812345678');
    expect(await counts(ticketId)).toEqual(before);

    const b = await staff('GET', `/admin/tickets/${ticketId}`, admin, undefined, { 'x-request-id': 'req-admin-read-1' });
    expect(b.status).toBe(200);
    expect((await json(b)).order.recipient).toEqual({ ...RECIPIENT, masked: false });
    expect(await counts(ticketId)).toEqual({ ...before, audits: before.audits + 1 });
    expect((await audits(ticketId)).at(-1)).toMatchObject({ action: 'ticket.read_personal_data', actor_type: 'admin', request_id: 'req-admin-read-1' });
  });

  it('404 for an unknown ticket; 401 without a staff token (a mall API key is refused like any other non-staff credential)', async () => {
    const { ticketId } = await ticketOf(mall);
    expect((await json(await staff('GET', '/admin/tickets/ast_00000000000000000000000000000000', agent))).error.code).toBe('not_found');
    expect((await staff('POST', '/admin/tickets/ast_00000000000000000000000000000000/comment', agent, { text: 'x' })).status).toBe(404);
    expect((await staff('POST', '/admin/tickets/ast_00000000000000000000000000000000/assign', agent, { assignee: 'x' })).status).toBe(404);
    const before = await counts(ticketId);
    for (const [method, path, body] of [
      ['GET', '/admin/tickets', undefined],
      ['GET', `/admin/tickets/${ticketId}`, undefined],
      ['POST', `/admin/tickets/${ticketId}/assign`, { assignee: 'mall-person' }],
      ['POST', `/admin/tickets/${ticketId}/comment`, { text: '商城自己写', visibleToMall: true }],
    ] as const) {
      const r = await staff(method, path, mall.apiKey, body);
      expect({ path, method, status: r.status }).toEqual({ path, method, status: 401 });
    }
    expect(await counts(ticketId)).toEqual(before);
  });
});

describe('staff actions', () => {
  it('an internal comment: history, audit, open → in_progress with a first response time, no event; the mall does not see it', async () => {
    const { ticketId } = await ticketOf(mall);
    const before = await counts(ticketId);
    const r = await staff('POST', `/admin/tickets/${ticketId}/comment`, agent, { text: '已联系京东核实' }, { 'x-request-id': 'req-note-1' });
    expect(r.status).toBe(200);
    const t = await json(r);
    expect(t).toMatchObject({ status: 'in_progress', version: 2, firstRespondedAt: hub.clock.now().toISOString() });
    expect(await counts(ticketId)).toEqual({ history: before.history + 1, audits: before.audits + 1, events: before.events });
    const [audit] = await audits(ticketId);
    expect(audit).toMatchObject({ action: 'ticket.comment', actor_type: 'agent', request_id: 'req-note-1', before: { status: 'open', version: 1 }, after: { status: 'in_progress', version: 2, visibleToMall: false } });
    const mallView = await json(await hub.call('GET', `/v1/after-sales/${ticketId}`, { token: mall.apiKey }));
    expect(mallView.status).toBe('in_progress');
    expect(mallView.history.map((h: any) => h.kind)).toEqual(['opened']);
  });

  it('a comment visible to the mall writes aftersale.updated (change: comment) and shows in the mall’s history', async () => {
    const { ticketId } = await ticketOf(mall);
    const before = await counts(ticketId);
    const r = await staff('POST', `/admin/tickets/${ticketId}/comment`, admin, { text: '请补充外箱照片', visibleToMall: true });
    expect(r.status).toBe(200);
    expect(await counts(ticketId)).toEqual({ history: before.history + 1, audits: before.audits + 1, events: before.events + 1 });
    const [event] = await sql<{ id: string; type: string; seq: number; data: Record<string, unknown>; created_at: Date }[]>(
      "select id, type, seq, data, created_at from mall_event where type = 'aftersale.updated' and data->>'ticketId' = ? order by seq desc limit 1",
      [ticketId],
    );
    expect(event?.data).toMatchObject({ ticketId, status: 'in_progress', change: 'comment' });
    expect(MALL_EVENT_SCHEMAS['aftersale.updated'].safeParse({ id: event?.id, type: event?.type, createdAt: new Date(event?.created_at as Date).toISOString(), data: { ...event?.data, seq: event?.seq } }).success).toBe(true);
    const mallView = await json(await hub.call('GET', `/v1/after-sales/${ticketId}`, { token: mall.apiKey }));
    expect(mallView.history.at(-1)).toMatchObject({ actor: 'staff', kind: 'comment', data: { comment: '请补充外箱照片' } });
    expect((await audits(ticketId)).at(-1)).toMatchObject({ action: 'ticket.comment', actor_type: 'admin', after: { visibleToMall: true, comment: '请补充外箱照片' } });
  });

  it('assign: history (internal), audit with before and after, no event; If-Match checked', async () => {
    const { ticketId } = await ticketOf(mall);
    const before = await counts(ticketId);
    const r = await staff('POST', `/admin/tickets/${ticketId}/assign`, agent, { assignee: 'agent-wang' }, { 'if-match': '"1"' });
    expect(r.status).toBe(200);
    expect(await json(r)).toMatchObject({ assignee: 'agent-wang', status: 'in_progress', version: 2 });
    expect(await counts(ticketId)).toEqual({ history: before.history + 1, audits: before.audits + 1, events: before.events });
    expect((await audits(ticketId)).at(-1)).toMatchObject({ action: 'ticket.assign', before: { assignee: null, status: 'open', version: 1 }, after: { assignee: 'agent-wang', status: 'in_progress', version: 2 } });
    const [first] = await sql<{ first_responded_at: Date }[]>('select first_responded_at from aftersale_ticket where id = ?', [ticketId]);

    // A stale If-Match: 409, nothing written; the current one applies, the first response time stays.
    const stale = await staff('POST', `/admin/tickets/${ticketId}/assign`, agent, { assignee: 'agent-li' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(409);
    expect((await json(stale)).error).toMatchObject({ code: 'conflict', details: { expectedVersion: 1, version: 2 } });
    expect(await counts(ticketId)).toEqual({ history: before.history + 1, audits: before.audits + 1, events: before.events });
    hub.clock.advance(60_000);
    expect((await staff('POST', `/admin/tickets/${ticketId}/assign`, agent, { assignee: 'agent-li', expectedVersion: 2 })).status).toBe(200);
    const detail = await json(await staff('GET', `/admin/tickets/${ticketId}`, agent));
    expect(detail).toMatchObject({ assignee: 'agent-li', version: 3, firstRespondedAt: new Date(first?.first_responded_at as Date).toISOString() });
    expect(detail.history.at(-1)).toMatchObject({ kind: 'assigned', visibleToMall: false, actorType: 'agent', data: { assignee: 'agent-li', previousAssignee: 'agent-wang' } });
    expect((await staff('POST', `/admin/tickets/${ticketId}/assign`, agent, { assignee: 'x' }, { 'if-match': 'garbage' })).status).toBe(400);
  });

  it('two staff acting at once with the same expected version: one 200, one 409, one history entry', async () => {
    for (const [path, body] of [
      ['comment', { text: '我来处理', visibleToMall: true }],
      ['assign', { assignee: 'agent-a' }],
    ] as const) {
      const { ticketId } = await ticketOf(mall);
      const before = await counts(ticketId);
      const [a, b] = await Promise.all([
        staff('POST', `/admin/tickets/${ticketId}/${path}`, agent, { ...body, expectedVersion: 1 }),
        staff('POST', `/admin/tickets/${ticketId}/${path}`, admin, { ...body, expectedVersion: 1 }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const after = await counts(ticketId);
      expect(after).toEqual({ history: before.history + 1, audits: before.audits + 1, events: before.events + (path === 'comment' ? 1 : 0) });
      const [row] = await sql<{ version: number }[]>('select version from aftersale_ticket where id = ?', [ticketId]);
      expect(row?.version).toBe(2);
    }
  });

  it('a withdrawn ticket refuses staff actions (409), writing nothing', async () => {
    const { ticketId } = await ticketOf(mall);
    expect((await hub.call('POST', `/v1/after-sales/${ticketId}/withdraw`, { token: mall.apiKey, body: { reason: '已解决' } })).status).toBe(200);
    const before = await counts(ticketId);
    expect((await staff('POST', `/admin/tickets/${ticketId}/comment`, agent, { text: '迟到的备注' })).status).toBe(409);
    expect((await staff('POST', `/admin/tickets/${ticketId}/assign`, agent, { assignee: 'agent-a' })).status).toBe(409);
    expect(await counts(ticketId)).toEqual(before);
  });
});

describe('GET /admin/tickets', () => {
  it('filters by status, type, mall, assignee and overdue, and pages with a cursor', async () => {
    const m = await hub.createMall('筛选商城');
    const damaged = await ticketOf(m, 'damaged');
    const ret = await ticketOf(m, 'return');
    const missing = await ticketOf(m, 'missing_item');
    await staff('POST', `/admin/tickets/${ret.ticketId}/assign`, agent, { assignee: 'agent-zhao' });
    const ids = async (query: string, token = agent) => {
      const r = await staff('GET', `/admin/tickets?mallId=${m.mallId}${query}`, token);
      expect(r.status).toBe(200);
      return ((await json(r)).items as { ticketId: string }[]).map((t) => t.ticketId);
    };
    expect(await ids('')).toEqual([missing.ticketId, ret.ticketId, damaged.ticketId]);
    expect(await ids('&status=open')).toEqual([missing.ticketId, damaged.ticketId]);
    expect(await ids('&status=in_progress', admin)).toEqual([ret.ticketId]);
    expect(await ids('&type=return')).toEqual([ret.ticketId]);
    expect(await ids('&assignee=agent-zhao')).toEqual([ret.ticketId]);
    expect(await ids('&overdue=true')).toEqual([]);

    // Paging: one a page, the cursor carries on.
    const page1 = await json(await staff('GET', `/admin/tickets?mallId=${m.mallId}&limit=2`, agent));
    expect(page1.items.map((t: any) => t.ticketId)).toEqual([missing.ticketId, ret.ticketId]);
    const page2 = await json(await staff('GET', `/admin/tickets?mallId=${m.mallId}&limit=2&cursor=${page1.nextCursor}`, agent));
    expect(page2).toMatchObject({ items: [expect.objectContaining({ ticketId: damaged.ticketId })], nextCursor: null });

    // Past the first-response SLA: the untouched tickets are overdue, the assigned one (responded) is not.
    const firstResponseMs = Math.max(hub.config.aftersale.sla.damaged.firstResponseMs, hub.config.aftersale.sla.missing_item.firstResponseMs);
    hub.clock.advance(firstResponseMs + 60_000);
    expect(await ids('&overdue=true')).toEqual([missing.ticketId, damaged.ticketId]);
    const listed = await json(await staff('GET', `/admin/tickets?mallId=${m.mallId}&type=damaged`, agent));
    expect(listed.items[0]).toMatchObject({ overdue: true, assignee: null });
    // Past every resolution SLA, the in-progress ticket too; a withdrawn ticket never is.
    expect((await hub.call('POST', `/v1/after-sales/${damaged.ticketId}/withdraw`, { token: m.apiKey, body: { reason: '已解决' } })).status).toBe(200);
    hub.clock.advance(Math.max(...Object.values(hub.config.aftersale.sla).map((s) => s.resolutionMs)));
    expect(await ids('&overdue=true')).toEqual([missing.ticketId, ret.ticketId]);
    expect((await staff('GET', '/admin/tickets?status=bogus', agent)).status).toBe(400);
  });
});
