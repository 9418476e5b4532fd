import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleTicketWorkflow } from '../../workflows/tickets/settle-ticket.workflow.ts';
import { sendReplacementStep } from '../../workflows/tickets/steps/send-replacement.ts';
import type { CompensationContext } from '../../workflows/engine/index.ts';
import type { TicketServices } from '../../workflows/tickets/services.ts';
import { runnerDeps } from '../../src/workflow-runner.ts';
import { ADMIN_TOKEN, json } from '../support/hub.ts';
import { RECIPIENT, type SandboxHub, startSandboxHub } from '../support/sandbox-hub.ts';

/**
 * Each ticket type settled by its workflow against the sandboxes (real wire formats, the
 * suppliers' own after-sale progress and faults): what the hub resolves by itself, what goes to
 * an agent, and the money and events each leaves.
 */

let rig: SandboxHub;
let agent: string;
const HUB_STEP = { hubMs: 5_000, supplierMs: 3 * 3600_000 };

beforeAll(async () => {
  rig = await startSandboxHub({
    env: {
      HUB_AFTERSALE_POLL_MS: '2000',
      HUB_AFTERSALE_RETURN_WAIT_MS: '60000',
      HUB_AFTERSALE_LOST_AFTER_MS: '30000',
      HUB_AFTERSALE_NOT_RECEIVED_AFTER_MS: '10000',
    },
  });
  agent = (await json(await rig.hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: '客服：王芳' } }))).token;
}, 90_000);
afterAll(() => rig?.close());

/** An order of `source`'s goods, delivered. */
async function delivered(source: string): Promise<string> {
  const orderId = await rig.order(await rig.physicalItemFrom(source));
  const o = await rig.until(() => rig.orderView(orderId), (v) => ['delivered', 'failed'].includes(v.lines[0].status), HUB_STEP);
  expect(o.lines[0].status).toBe('delivered');
  return orderId;
}

/** A top-up order, issued (the provider refuses a recharge now and then: that one is ordered again). */
async function issued(): Promise<{ orderId: string; o: Record<string, any> }> {
  for (let i = 0; i < 3; i++) {
    const orderId = await rig.order(await rig.virtualItem(), { virtual: true });
    const o = await rig.until(() => rig.orderView(orderId), (v) => ['issued', 'failed'].includes(v.lines[0].status), { hubMs: 5_000, supplierMs: 60_000 });
    if (o.lines[0].status === 'issued') return { orderId, o };
  }
  throw new Error('the provider refused three top-ups in a row');
}

let keys = 0;
async function open(orderId: string, type: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await rig.hub.call('POST', `/v1/orders/${orderId}/after-sales`, { token: rig.mall.apiKey, headers: { 'idempotency-key': `tw-${++keys}` }, body: { lineId: '1', type, reason: '会员反馈', ...extra } });
  expect(r.status).toBe(201);
  return (await json(r)).ticketId as string;
}

const ticketView = async (ticketId: string) => {
  const t = await json(await rig.hub.call('GET', `/v1/after-sales/${ticketId}`, { token: rig.mall.apiKey }));
  // Its run's steps, for a failure message that says where it stopped.
  t.steps = (await rig.sql<{ step: string; status: string; error: string | null }[]>('select s.step, s.status, s.error from workflow_step s join workflow_run r on r.id = s.run_id where r.subject_id = ? order by s.seq', [ticketId])).map((s) => `${s.step}:${s.status}${s.error ? `(${s.error})` : ''}`);
  return t;
};
const staffView = async (ticketId: string) => json(await rig.hub.call('GET', `/admin/tickets/${ticketId}`, { token: agent }));
const settled = (ticketId: string, step = HUB_STEP) => rig.until(() => ticketView(ticketId), (t) => ['resolved', 'rejected'].includes(t.status), step);
const atAgent = (ticketId: string, step = HUB_STEP) => rig.until(() => ticketView(ticketId), (t) => t.waitingOn === 'agent' || ['resolved', 'rejected'].includes(t.status), step);
const ledger = (orderId: string) => rig.sql<{ entry: string; units: number; points: number; fen: number; ref: string | null }[]>("select entry, units, points, fen, ref from ledger_entry where order_id = ? and entry in ('refund', 'supplier_refund') order by id", [orderId]);
const mallEvents = (orderId: string) => rig.sql<{ type: string; seq: number; data: Record<string, any> }[]>('select type, seq, data from mall_event where order_id = ? order by seq', [orderId]);

describe('returns and exchanges at the source supplier', () => {
  it('return: applied at the brand, the goods received, the member refunded by the hub with no agent; the supplier’s refund in the ledger', async () => {
    const orderId = await delivered('brand-acme');
    const ticketId = await open(orderId, 'return', { reason: '七天无理由' });
    const t = await settled(ticketId);
    expect(t).toMatchObject({ status: 'resolved', resolution: { action: 'refund', units: 1, by: 'hub' } });
    const paid = (await rig.orderView(orderId)).lines[0];
    expect(t.resolution.refund).toEqual({ points: paid.pointsPaid, cashFen: paid.cashPaidFen });
    const money = await ledger(orderId);
    expect(money.find((m) => m.entry === 'refund')).toMatchObject({ units: 1, points: -paid.pointsPaid, ref: `ticket:${ticketId}` });
    expect(money.find((m) => m.entry === 'supplier_refund')?.fen).toBeGreaterThan(0);
    const events = await mallEvents(orderId);
    expect(events.filter((e) => e.type === 'refund.required').map((e) => e.data.ticketId)).toEqual([ticketId]);
    const updates = events.filter((e) => e.type === 'aftersale.updated').map((e) => e.data.change);
    expect(updates[0]).toBe('opened');
    expect(updates.at(-1)).toBe('resolved');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // The whole line was refunded: it is `refunded`, and the order says so.
    expect((await rig.orderView(orderId)).lines[0].status).toBe('refunded');
  });

  it('exchange: JD swaps the goods; resolved return_to_supplier with the replacement parcel, no money moves', async () => {
    const orderId = await delivered('jd');
    const ticketId = await open(orderId, 'exchange', { reason: '尺码不对' });
    const t = await settled(ticketId);
    expect(t, JSON.stringify(t)).toMatchObject({ status: 'resolved', resolution: { action: 'return_to_supplier', by: 'hub', shipment: { carrier: expect.any(String), trackingNo: expect.any(String) } } });
    expect((await ledger(orderId)).filter((m) => m.entry === 'refund')).toHaveLength(0);
    // The replacement parcel joins the line's shipments in the mall's order view.
    const parcels = (await rig.orderView(orderId)).lines[0].shipments as { trackingNo: string }[];
    expect(parcels.map((p) => p.trackingNo)).toContain(t.resolution.shipment.trackingNo);
  });

  it('a supplier refusal goes to an agent with the supplier’s reason; the agent refunds', async () => {
    rig.sandbox('jd').faults.set({ afterSaleRefusal: true });
    try {
      const orderId = await delivered('jd');
      const ticketId = await open(orderId, 'return', { reason: '不想要了' });
      const t = await atAgent(ticketId);
      expect(t).toMatchObject({ status: 'in_progress', waitingOn: 'agent', resolution: null });
      const notes = (await staffView(ticketId)).history.filter((h: any) => h.kind === 'progress' && !h.visibleToMall).map((h: any) => h.data.note);
      expect(notes.some((n: string) => /refused|rejected/.test(n))).toBe(true);
      const r = await rig.hub.call('POST', `/admin/tickets/${ticketId}/resolve`, { token: agent, body: { action: 'refund', note: '供应商拒绝，平台先行退款' } });
      expect([200, 202]).toContain(r.status);
      if (r.status === 200) expect((await ticketView(ticketId)).resolution).toMatchObject({ action: 'refund', by: 'staff' });
    } finally {
      rig.sandbox('jd').faults.reset();
    }
  });

  it('lost after-sale callbacks: the hub’s own polling settles the return just the same', async () => {
    rig.sandbox('brand-acme').faults.set({ lostAfterSaleCallbacks: true });
    try {
      const orderId = await delivered('brand-acme');
      const ticketId = await open(orderId, 'return');
      expect(await settled(ticketId)).toMatchObject({ status: 'resolved', resolution: { action: 'refund', by: 'hub' } });
      expect(rig.sandbox('brand-acme').faults.injected.afterSaleCallbacksLost).toBeGreaterThan(0);
    } finally {
      rig.sandbox('brand-acme').faults.reset();
    }
  });

  it('a partial refund from the supplier: the member is refunded in full, staff get a note to claim the rest', async () => {
    rig.sandbox('jd').faults.set({ afterSalePartialRefund: true });
    try {
      const orderId = await delivered('jd');
      const ticketId = await open(orderId, 'return');
      const t = await settled(ticketId);
      expect(t).toMatchObject({ status: 'resolved', resolution: { action: 'refund', units: 1 } });
      const supplierRefund = (await ledger(orderId)).find((m) => m.entry === 'supplier_refund');
      expect(supplierRefund).toBeDefined();
      const [cost] = await rig.sql<{ fen: number }[]>("select fen from ledger_entry where order_id = ? and entry = 'supplier_cost'", [orderId]);
      expect(supplierRefund?.fen).toBeLessThan(cost?.fen ?? 0);
    } finally {
      rig.sandbox('jd').faults.reset();
    }
  });

  it('a return approved but never received goes to an agent after the wait', async () => {
    rig.sandbox('brand-acme').faults.set({ returnNeverReceived: true });
    try {
      const orderId = await delivered('brand-acme');
      const ticketId = await open(orderId, 'return');
      const t = await atAgent(ticketId, { hubMs: 10_000, supplierMs: 3 * 3600_000 });
      expect(t).toMatchObject({ status: 'in_progress', waitingOn: 'agent' });
      const notes = (await staffView(ticketId)).history.map((h: any) => h.data.note ?? '');
      expect(notes.some((n: string) => n.includes('never received'))).toBe(true);
      expect((await ledger(orderId)).filter((m) => m.entry === 'refund')).toHaveLength(0);
    } finally {
      rig.sandbox('brand-acme').faults.reset();
    }
  });
});

describe('goods damaged, wrong or short', () => {
  it('damaged: the brand accepts the claim, the hub sends the unit again, and resolves reship with the new parcel', async () => {
    const orderId = await delivered('brand-acme');
    const ticketId = await open(orderId, 'damaged', { photos: ['https://img.example-mall.cn/as/1.jpg'] });
    const t = await settled(ticketId);
    expect(t).toMatchObject({ status: 'resolved', resolution: { action: 'reship', units: 1, by: 'hub', shipment: { supplierOrderId: expect.any(String), trackingNo: expect.any(String) } } });
    const [original] = await rig.sql<{ supplier_order_id: string }[]>('select a.supplier_order_id from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? order by a.seq desc limit 1', [orderId]);
    expect(t.resolution.shipment.supplierOrderId).not.toBe(original?.supplier_order_id);
    expect(((await rig.orderView(orderId)).lines[0].shipments as { trackingNo: string }[]).map((p) => p.trackingNo)).toContain(t.resolution.shipment.trackingNo);
    // The brand's callbacks about the replacement found the ticket (processed, not set aside as no line's).
    const callbacks = await rig.sql<{ status: string }[]>("select status from inbound_event where supplier = 'brand-acme' and body like ?", [`%${t.resolution.shipment.supplierOrderId}%`]);
    expect(callbacks.map((c) => c.status)).toContain('processed');
    expect((await ledger(orderId)).filter((m) => m.entry === 'refund')).toHaveLength(0);
  });

  it('a reship no source can send falls back to a refund (the workflow’s compensation path)', async () => {
    const orderId = await delivered('brand-acme');
    // Every source of the item is now out of stock for a second unit.
    await rig.sql('update catalog_offer set stock = 0 where item_id = (select item_id from order_line where order_id = ?)', [orderId]);
    const ticketId = await open(orderId, 'missing_item');
    const t = await settled(ticketId);
    expect(t).toMatchObject({ status: 'resolved', resolution: { action: 'refund', units: 1, by: 'hub' } });
    expect(t.resolution.note).toMatch(/could not send the units again/);
    expect((await mallEvents(orderId)).filter((e) => e.type === 'refund.required')).toHaveLength(1);
  });

  it('send-replacement’s compensation cancels the replacement at its supplier, once', async () => {
    const connector = rig.hub.deps.connectors.get('brand-acme');
    if (!connector) throw new Error('brand-acme missing');
    const item = await rig.sql<{ supplier_sku_id: string }[]>(
      "select o.supplier_sku_id from catalog_offer o join catalog_item ci on ci.id = o.item_id where o.supplier_id = 'brand-acme' and ci.kind = 'physical' and o.on_shelf and o.removed_at is null and coalesce(o.stock, 10) > 5 order by o.supplier_sku_id limit 1",
    );
    const placed = await connector.submitOrder({ reference: `comp-${Date.now()}`, lines: [{ supplierSkuId: item[0]?.supplier_sku_id as string, quantity: 1 }], recipient: RECIPIENT });
    const runner = runnerDeps(rig.hub.deps);
    const ctx: CompensationContext = { runId: 'wfr_test', subjectId: 'ast_test', em: rig.hub.deps.orm.em.fork(), clock: rig.hub.clock, goal: 'fail', reason: 'test', attempt: 0 };
    const input = { supplierId: 'brand-acme', supplierOrderId: placed.supplierOrderId };
    await sendReplacementStep.compensate?.(input, ctx, runner.services as TicketServices);
    expect((await connector.getOrder(placed.supplierOrderId)).status).toBe('cancelled');
    await sendReplacementStep.compensate?.(input, ctx, runner.services as TicketServices); // a second undo is a no-op
    expect((await connector.getOrder(placed.supplierOrderId)).status).toBe('cancelled');
  });
});

describe('the workflow’s steps', () => {
  it('declare their undo and what happens when retries run out: only a replacement is undone, and steps that may leave something unseen hold', () => {
    const policy = Object.fromEntries(settleTicketWorkflow.steps.map((st) => [st.id, `${st.compensate ? 'undo' : 'none'}/${st.whenRetriesRunOut ?? 'compensate'}`]));
    expect(policy).toEqual({
      triage: 'none/compensate',
      'apply-at-supplier': 'none/compensate',
      'await-supplier': 'none/compensate',
      'check-carrier': 'none/compensate',
      'requery-issuance': 'none/compensate',
      'await-agent': 'none/compensate',
      settle: 'none/compensate',
      'send-replacement': 'undo/hold',
      'await-replacement': 'none/hold',
    });
    expect(typeof settleTicketWorkflow.onFailed).toBe('function');
  });
});

describe('goods not received', () => {
  it('a parcel with no tracking news past the wait counts as lost: the hub sends the units again without an agent', async () => {
    const orderId = await rig.order(await rig.physicalItemFrom('brand-acme'));
    await rig.until(() => rig.orderView(orderId), (v) => v.lines[0].status === 'shipped', { hubMs: 1_000, supplierMs: 30 * 60_000 });
    // The carrier goes quiet: only the hub's clock moves, from the suppliers' time on.
    rig.hub.clock.set(rig.sandboxClock.now());
    const ticketId = await rig.until(
      async () => {
        const r = await rig.hub.call('POST', `/v1/orders/${orderId}/after-sales`, { token: rig.mall.apiKey, headers: { 'idempotency-key': `nr-${orderId}` }, body: { lineId: '1', type: 'not_received', reason: '一直没收到' } });
        return { status: r.status, body: await json(r) };
      },
      (r) => r.status === 201,
      { hubMs: 5_000, supplierMs: 0, rounds: 10 },
    ).then((r) => r.body.ticketId as string);
    const t = await rig.until(() => ticketView(ticketId), (v) => ['resolved', 'rejected'].includes(v.status) || v.waitingOn === 'hub', { hubMs: 10_000, supplierMs: 0 });
    expect(t.waitingOn === 'hub' || t.status === 'resolved').toBe(true);
    const done = await settled(ticketId, { hubMs: 5_000, supplierMs: 3 * 3600_000 });
    expect(done).toMatchObject({ status: 'resolved', resolution: { action: 'reship', by: 'hub' } });
  });
});

describe('virtual benefits not received', () => {
  it('the provider says it issued: the evidence goes to the mall, the claim is answered without an agent, nothing is issued twice', async () => {
    const { orderId, o } = await issued();
    const before = rig.sandbox(o.lines[0].source).orderLedger().length;
    const ticketId = await open(orderId, 'virtual_not_received', { reason: '充值未到账' });
    const t = await settled(ticketId, { hubMs: 5_000, supplierMs: 60_000 });
    expect(t).toMatchObject({ status: 'rejected', resolution: { action: 'reject', by: 'hub', evidence: { providerOrderId: expect.any(String) } } });
    expect(rig.sandbox(o.lines[0].source).orderLedger().length).toBe(before);
    expect((await ledger(orderId)).filter((m) => m.entry === 'refund')).toHaveLength(0);
  });

  it('the provider has no record of it: issued again under a new reference, once, and resolved reissue', async () => {
    const { orderId, o } = await issued();
    const source = o.lines[0].source as string;
    // The provider lost the issuance: the hub's reference is one it never saw.
    await rig.sql("update line_attempt set reference = 'lost' || reference where line_id = (select id from order_line where order_id = ?) and status = 'issued'", [orderId]);
    const ticketId = await open(orderId, 'virtual_not_received', { reason: '充值未到账' });
    const t = await settled(ticketId, { hubMs: 5_000, supplierMs: 60_000 });
    const reissueRef = `${ticketId.slice(4)}r1`;
    // One reissue at the provider, whatever its outcome: the run looks its reference up before sending.
    expect(rig.sandbox(source).ordersFor(reissueRef)).toBe(1);
    const refunds = (await ledger(orderId)).filter((m) => m.entry === 'refund');
    if (t.resolution.action === 'reissue') {
      expect(t).toMatchObject({ status: 'resolved', resolution: { action: 'reissue', units: 1, by: 'hub', evidence: { providerOrderId: expect.any(String) } } });
      expect(refunds).toHaveLength(0);
    } else {
      // The provider refused the recharge again now and then: the reissue failed for good, and the member is refunded instead.
      expect(t).toMatchObject({ status: 'resolved', resolution: { action: 'refund', units: 1, by: 'hub', note: expect.stringMatching(/could not issue it again/) } });
      expect(refunds).toHaveLength(1);
    }
  });
});
