import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MALL_EVENT_SCHEMAS } from '../../src/mall-webhooks/event-schemas.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { seedOrder } from '../support/seed-orders.ts';

/** After-sales tickets through the mall API: eligibility refuses with nothing written, a ticket opens once per key, evidence and withdrawal. */

const DAY = 24 * 3600_000;
let hub: TestHub;
let mall: { mallId: string; apiKey: string };
let other: { mallId: string; apiKey: string };

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const call = (method: string, path: string, body?: unknown, o: { key?: string; token?: string } = {}) =>
  hub.call(method, path, { token: o.token ?? mall.apiKey, body, headers: o.key ? { 'idempotency-key': o.key } : {} });

/** Rows in the tables a ticket writes. */
async function counts(): Promise<{ tickets: number; history: number; events: number }> {
  const [r] = await sql<{ tickets: number; history: number; events: number }[]>(
    'select (select count(*)::int from aftersale_ticket) tickets, (select count(*)::int from aftersale_ticket_event) history, (select count(*)::int from mall_event) events',
  );
  return r as { tickets: number; history: number; events: number };
}

/** An order of one line of 3 units in the given state (delivered a day ago by default). */
async function orderWith(state: { status: 'delivered' | 'shipped' | 'pending' | 'issued'; kind?: 'physical' | 'virtual'; at?: Date; fulfilled?: number }) {
  const o = await seedOrder(hub, mall.mallId, { lines: 1, kind: state.kind ?? 'physical' });
  const lineId = o.lineIds[0] as string;
  const at = state.at ?? new Date(hub.clock.now().getTime() - DAY);
  await sql('update order_line set quantity = 3, points_paid = 300, status = ?, qty_fulfilled = ?, updated_at = ? where id = ?', [state.status, state.fulfilled ?? (state.status === 'pending' || state.status === 'shipped' ? 0 : 3), at, lineId]);
  if (state.status === 'delivered' || state.status === 'shipped') {
    await sql(`insert into shipment (id, line_id, supplier_id, supplier_order_id, carrier, tracking_no, status, shipped_at, delivered_at, created_at, updated_at)
               values (?, ?, 'jd', ?, 'JD', ?, ?, ?, ?, ?, ?)`, [`shp_${lineId}`, lineId, `so-${lineId}`, `JDV${lineId.slice(4, 16)}`, state.status === 'delivered' ? 'delivered' : 'in_transit', at, state.status === 'delivered' ? at : null, at, at]);
  }
  return { orderId: o.orderId, lineRowId: lineId };
}

/** Expects a refusal with this status and code, and that nothing was written. */
async function refused(send: () => Promise<Response>, status: number, code: string, reason?: string) {
  const before = await counts();
  const r = await send();
  const body = (await r.json()) as { error: { code: string; details?: { reason?: string } } };
  expect({ status: r.status, code: body.error.code }).toEqual({ status, code });
  if (reason) expect(body.error.details?.reason).toBe(reason);
  expect(await counts()).toEqual(before);
}

beforeAll(async () => {
  hub = await startTestHub();
  mall = await hub.createMall('售后商城');
  other = await hub.createMall('别家商城');
});
afterAll(() => hub?.close());

describe('POST /v1/orders/{orderId}/after-sales', () => {
  it('opens a ticket with its history entry and aftersale.updated; the same key and body answer the same ticket', async () => {
    const { orderId } = await orderWith({ status: 'delivered' });
    const before = await counts();
    const body = { lineId: '1', type: 'damaged', reason: '冰箱门板有凹痕', quantity: 2, photos: ['https://img.example-mall.cn/as/1.jpg'] };
    const r = await call('POST', `/v1/orders/${orderId}/after-sales`, body, { key: `as-${orderId}` });
    expect(r.status).toBe(201);
    const ticket = (await r.json()) as Record<string, any>;
    expect(ticket).toMatchObject({ orderId, lineId: '1', type: 'damaged', status: 'open', quantity: 2, photos: body.photos, resolution: null });
    expect(ticket.ticketId).toMatch(/^ast_[0-9a-f]{32}$/);
    expect(new Date(ticket.firstResponseDueAt).getTime() - hub.clock.now().getTime()).toBe(hub.config.aftersale.sla.damaged.firstResponseMs);
    expect(await counts()).toEqual({ tickets: before.tickets + 1, history: before.history + 1, events: before.events + 1 });
    const [event] = await sql<{ type: string; seq: number; data: Record<string, unknown>; created_at: Date; id: string }[]>("select id, type, seq, data, created_at from mall_event where order_id = ? and type = 'aftersale.updated'", [orderId]);
    expect(event?.data).toMatchObject({ lineId: '1', ticketId: ticket.ticketId, type: 'damaged', status: 'open', quantity: 2, change: 'opened' });
    expect(MALL_EVENT_SCHEMAS['aftersale.updated'].safeParse({ id: event?.id, type: event?.type, createdAt: new Date(event?.created_at as Date).toISOString(), data: { ...event?.data, seq: event?.seq } }).success).toBe(true);

    const again = await call('POST', `/v1/orders/${orderId}/after-sales`, body, { key: `as-${orderId}` });
    expect(again.status).toBe(200);
    expect(((await again.json()) as Record<string, unknown>).ticketId).toBe(ticket.ticketId);
    await refused(() => call('POST', `/v1/orders/${orderId}/after-sales`, { ...body, quantity: 1 }, { key: `as-${orderId}` }), 409, 'idempotency_conflict');
    // Another type on the same line, for the unit left; a third would exceed the units.
    expect((await call('POST', `/v1/orders/${orderId}/after-sales`, { lineId: '1', type: 'return', reason: '不想要了', quantity: 1 }, { key: `as2-${orderId}` })).status).toBe(201);
    await refused(() => call('POST', `/v1/orders/${orderId}/after-sales`, { lineId: '1', type: 'wrong_item', reason: '发错货', quantity: 1 }, { key: `as3-${orderId}` }), 422, 'not_eligible', 'quantity_exceeded');

    const list = await call('GET', `/v1/orders/${orderId}/after-sales`);
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(2);
  });

  it('refuses, writing nothing: a duplicate open ticket (409), too many units, an ineligible status, a window passed (422), a photo that is no URL (400), another mall’s order (404)', async () => {
    const { orderId } = await orderWith({ status: 'delivered' });
    const open = (b: Record<string, unknown>, key: string, token?: string) => () => call('POST', `/v1/orders/${orderId}/after-sales`, { lineId: '1', reason: '有问题', ...b }, { key, ...(token ? { token } : {}) });
    expect((await open({ type: 'missing_item', quantity: 1 }, `m1-${orderId}`)()).status).toBe(201);
    await refused(open({ type: 'missing_item', quantity: 1 }, `m2-${orderId}`), 409, 'conflict');
    await refused(open({ type: 'return', quantity: 3 }, `r1-${orderId}`), 422, 'not_eligible', 'quantity_exceeded');
    await refused(open({ type: 'not_received' }, `n1-${orderId}`), 422, 'not_eligible', 'line_status');
    await refused(open({ type: 'virtual_not_received' }, `v1-${orderId}`), 422, 'not_eligible', 'not_virtual');
    await refused(open({ type: 'damaged', photos: ['ftp://img.example-mall.cn/1.jpg'] }, `p1-${orderId}`), 400, 'validation_failed');
    await refused(open({ type: 'damaged', photos: ['not a url'] }, `p2-${orderId}`), 400, 'validation_failed');
    await refused(open({ type: 'damaged' }, `o1-${orderId}`, other.apiKey), 404, 'not_found');
    await refused(open({ type: 'damaged', lineId: '9' }, `l9-${orderId}`), 404, 'not_found');
    await refused(() => call('POST', `/v1/orders/${orderId}/after-sales`, { lineId: '1', type: 'damaged', reason: 'x' }), 400, 'idempotency_key_required');

    const pending = await orderWith({ status: 'pending' });
    await refused(() => call('POST', `/v1/orders/${pending.orderId}/after-sales`, { lineId: '1', type: 'return', reason: '未发货' }, { key: `pe-${pending.orderId}` }), 422, 'not_eligible', 'line_status');
  });

  it('the windows follow the hub’s clock: a return 7 days after delivery, a damaged item 15', async () => {
    const { orderId } = await orderWith({ status: 'delivered', at: hub.clock.now() });
    hub.clock.advance(7 * DAY + 60_000);
    await refused(() => call('POST', `/v1/orders/${orderId}/after-sales`, { lineId: '1', type: 'return', reason: '七天无理由' }, { key: `w1-${orderId}` }), 422, 'not_eligible', 'window_passed');
    expect((await call('POST', `/v1/orders/${orderId}/after-sales`, { lineId: '1', type: 'damaged', reason: '破损', quantity: 1 }, { key: `w2-${orderId}` })).status).toBe(201);
    hub.clock.advance(8 * DAY);
    await refused(() => call('POST', `/v1/orders/${orderId}/after-sales`, { lineId: '1', type: 'wrong_item', reason: '发错货', quantity: 1 }, { key: `w3-${orderId}` }), 422, 'not_eligible', 'window_passed');
  });

  it('not_received for a parcel shipped a week ago and never delivered', async () => {
    const { orderId } = await orderWith({ status: 'shipped', at: hub.clock.now() });
    await refused(() => call('POST', `/v1/orders/${orderId}/after-sales`, { lineId: '1', type: 'not_received', reason: '没收到' }, { key: `nr1-${orderId}` }), 422, 'not_eligible', 'too_early');
    hub.clock.advance(7 * DAY);
    const r = await call('POST', `/v1/orders/${orderId}/after-sales`, { lineId: '1', type: 'not_received', reason: '没收到' }, { key: `nr2-${orderId}` });
    expect(r.status).toBe(201);
    expect(((await r.json()) as Record<string, unknown>).quantity).toBe(3);
  });
});

describe('evidence and withdrawal', () => {
  it('adds evidence to an open ticket, withdraws it, then refuses both (409), each change with a history entry and an event', async () => {
    const { orderId } = await orderWith({ status: 'delivered' });
    const opened = (await (await call('POST', `/v1/orders/${orderId}/after-sales`, { lineId: '1', type: 'damaged', reason: '破损', quantity: 1 }, { key: `e-${orderId}` })).json()) as Record<string, any>;
    const id = opened.ticketId as string;
    let before = await counts();
    const ev = await call('POST', `/v1/after-sales/${id}/evidence`, { photos: ['https://img.example-mall.cn/as/2.jpg'], comment: '外箱也破了', returnWaybill: { carrier: 'SF', trackingNo: 'SF1234567890123' } });
    expect(ev.status).toBe(200);
    expect(((await ev.json()) as Record<string, unknown>).photos).toEqual(['https://img.example-mall.cn/as/2.jpg']);
    expect(await counts()).toEqual({ tickets: before.tickets, history: before.history + 1, events: before.events + 1 });
    await refused(() => call('POST', `/v1/after-sales/${id}/evidence`, { photos: ['javascript:alert(1)'] }), 400, 'validation_failed');
    await refused(() => call('POST', `/v1/after-sales/${id}/evidence`, {}), 400, 'validation_failed');
    await refused(() => call('POST', `/v1/after-sales/${id}/withdraw`, { reason: '别家' }, { token: other.apiKey }), 404, 'not_found');

    before = await counts();
    const w = await call('POST', `/v1/after-sales/${id}/withdraw`, { reason: '已协商解决' });
    expect(w.status).toBe(200);
    expect(((await w.json()) as Record<string, unknown>).status).toBe('withdrawn');
    expect(await counts()).toEqual({ tickets: before.tickets, history: before.history + 1, events: before.events + 1 });
    await refused(() => call('POST', `/v1/after-sales/${id}/withdraw`, { reason: '再撤一次' }), 409, 'conflict');
    await refused(() => call('POST', `/v1/after-sales/${id}/evidence`, { comment: '补充' }), 409, 'conflict');

    const got = (await (await call('GET', `/v1/after-sales/${id}`)).json()) as { status: string; history: { kind: string; actor: string }[] };
    expect(got.status).toBe('withdrawn');
    expect(got.history.map((h) => h.kind)).toEqual(['opened', 'evidence_added', 'withdrawn']);
    expect((await call('GET', `/v1/after-sales/${id}`, undefined, { token: other.apiKey })).status).toBe(404);
    const events = await sql<{ data: { change: string; status: string } }[]>("select data from mall_event where order_id = ? and type = 'aftersale.updated' order by seq", [orderId]);
    expect(events.map((e) => `${e.data.change}:${e.data.status}`)).toEqual(['opened:open', 'evidence_added:open', 'withdrawn:withdrawn']);
    // Withdrawn, its units are free again: the same type may be opened anew.
    expect((await call('POST', `/v1/orders/${orderId}/after-sales`, { lineId: '1', type: 'damaged', reason: '再次申请', quantity: 3 }, { key: `e2-${orderId}` })).status).toBe(201);
  });
});
