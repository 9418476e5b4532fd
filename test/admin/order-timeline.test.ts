import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repriceMall } from '../../src/catalog/mall-pricing.ts';
import { dispatchWebhooks, processWebhookDelivery, webhookDeliverDeps } from '../../src/queues/processors/webhook-delivery.processor.ts';
import { WorkerHost } from '../../src/queues/worker-host.ts';
import { createRedis } from '../../src/redis/connection.ts';
import { startReceiver, until } from '../mall-webhooks/receiver.ts';
import { itemFrom } from '../support/catalog-items.ts';
import { ADMIN_TOKEN, json, type TestHub } from '../support/hub.ts';
import { settleOrder } from '../support/settle.ts';
import { startWorkflowHub, type WorkflowHub } from '../support/workflow-hub.ts';

/**
 * GET /admin/orders/{orderId}: an order that went through routing, shipping, tracking, webhooks to
 * its mall, an after-sales ticket with an internal note and a staff refund has every one of them in
 * one timeline, in time order; an agent reads the recipient and the timeline with no personal data,
 * an admin reads the recipient in full, and that read is audited.
 */

let wf: WorkflowHub;
let hub: TestHub;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let webhookHost: WorkerHost;
let webhookConnection: ReturnType<typeof createRedis>;
let mall: { mallId: string; apiKey: string; webhookSecret: string };
let agent: string;
let admin: string;
let orderId: string;

const recipient = { name: '欧阳娜娜', phone: '13612348765', province: '北京', city: '北京市', district: '朝阳区', address: '望京街 9 号 3 单元 502' };
const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const get = (token: string, headers: Record<string, string> = {}) => hub.call('GET', `/admin/orders/${orderId}`, { token, headers });

beforeAll(async () => {
  receiver = await startReceiver();
  wf = await startWorkflowHub({
    seed: 91,
    suppliers: ['brand-acme'],
    mallName: '时间线商城',
    env: {
      HUB_SHIPMENT_POLL_MS: '1000', HUB_TRACKING_STALE_MS: '1000', HUB_WORKFLOW_BACKOFF_MS: '100', HUB_WORKFLOW_MAX_ATTEMPTS: '4',
      HUB_SUPPLIER_TIMEOUT_MS: '1500', HUB_WEBHOOK_RETRY_SCHEDULE_MS: '50,50,50', HUB_WEBHOOK_TIMEOUT_MS: '2000',
    },
  });
  hub = wf.hub;
  // The mall whose webhooks are delivered (the workflow hub's own mall posts to a closed port).
  const made = await hub.createMall('时间线商城（收件）', { webhookUrl: receiver.url });
  mall = made;
  receiver.state.secrets = [made.webhookSecret];
  await repriceMall(hub.deps.orm.em.fork(), mall.mallId);
  webhookConnection = createRedis(hub.config.redisUrl);
  webhookHost = new WorkerHost({ connection: webhookConnection, prefix: hub.config.redisPrefix, logger: hub.deps.logger, metrics: hub.deps.metrics, concurrency: 2 });
  webhookHost.register('webhookDelivery', (p) => processWebhookDelivery(p, webhookDeliverDeps(hub.deps)));
  agent = (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: '客服：周敏' } }))).token;
  admin = (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'admin', name: '运营：陈刚' } }))).token;

  // An order of two units, delivered by brand-acme.
  const item = await itemFrom(hub, mall.mallId, 'physical', ['brand-acme'], recipient);
  const res = await hub.call('POST', '/v1/orders', {
    token: mall.apiKey,
    headers: { 'idempotency-key': 'timeline-1' },
    body: { mallOrderId: 'TL-0001', member: { id: 'member-77' }, recipient, lines: [{ lineId: '1', skuId: item.skuId, quantity: 2, pointsPaid: item.points * 2, cashPaidFen: item.cashFen * 2 }] },
  });
  expect(res.status).toBe(201);
  orderId = (await json(res)).orderId;
  await settleOrder({ hub, sandboxClock: wf.sandboxClock, apiKey: mall.apiKey }, orderId, (o) => ['delivered', 'failed'].includes(o.lines[0].status), { hubMs: 2_000, supplierMs: 6 * 3600_000, rounds: 80 });

  // After-sales: the mall reports a damaged unit, an agent leaves an internal note, an admin refunds it.
  const ticket = await hub.call('POST', `/v1/orders/${orderId}/after-sales`, { token: mall.apiKey, headers: { 'idempotency-key': 'tl-ticket-1' }, body: { lineId: '1', type: 'damaged', reason: '外箱破损，商品有划痕', quantity: 1 } });
  expect(ticket.status, await ticket.clone().text()).toBe(201);
  const ticketId = (await json(ticket)).ticketId as string;
  expect((await hub.call('POST', `/admin/tickets/${ticketId}/comment`, { token: agent, body: { text: '内部备注：已联系品牌方核实，会员电话 13612348765' } })).status).toBe(200);
  const refund = await hub.call('POST', `/admin/orders/${orderId}/actions/refund`, { token: admin, body: { lineId: '1', units: 1, reason: '商品破损，退一件' }, headers: { 'x-request-id': 'tl-refund-1' } });
  expect(refund.status, await refund.clone().text()).toBe(200);

  // Every event of the order delivered to the mall.
  await until(async () => {
    await dispatchWebhooks({ em: hub.deps.orm.em, clock: hub.clock, queues: hub.deps.queues, batchSize: hub.config.webhook.batchSize });
    const [r] = await sql<{ pending: number }[]>("select count(*)::int pending from mall_event e where e.order_id = ? and not exists (select 1 from webhook_delivery d where d.event_id = e.id and d.status = 'delivered')", [orderId]);
    return r?.pending === 0;
  }, 30_000, 'the order’s webhooks delivered');
}, 180_000);

afterAll(async () => {
  await webhookHost?.close();
  webhookConnection?.disconnect();
  await wf?.close();
  await receiver?.close();
});

describe('GET /admin/orders/{orderId}', () => {
  it('merges every source into one timeline, oldest first, with the order, its lines and their runs', async () => {
    const res = await get(agent);
    expect(res.status).toBe(200);
    const o = await json(res);
    expect(o).toMatchObject({ orderId, mallId: mall.mallId, mallOrderId: 'TL-0001', lines: [{ lineId: '1', status: 'delivered', source: 'brand-acme', quantity: 2, rechargeAccount: null, run: { workflow: 'fulfil-line', status: 'succeeded' } }] });
    const timeline = o.timeline as { at: string; source: string; kind: string; lineId?: string; summary: string; data: Record<string, any> }[];
    const times = timeline.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const sources = new Set(timeline.map((e) => e.source));
    expect([...sources].sort()).toEqual(['line', 'refund', 'shipment', 'staff', 'supplier', 'ticket', 'tracking', 'webhook', 'workflow']);
    const kinds = (source: string) => timeline.filter((e) => e.source === source).map((e) => e.kind);
    expect(kinds('line')).toEqual(expect.arrayContaining(['line.created', 'order.accepted', 'line.submitted', 'line.shipped', 'line.delivered', 'aftersale.updated', 'refund.required']));
    expect(kinds('workflow')).toEqual(expect.arrayContaining(['step.succeeded']));
    expect(timeline.filter((e) => e.source === 'workflow').map((e) => e.data.step)).toEqual(expect.arrayContaining(['pick-source', 'submit-order', 'await-shipment']));
    expect(kinds('supplier')).toEqual(expect.arrayContaining(['attempt.created', 'attempt.updated', 'cost.booked']));
    expect(kinds('shipment')).toEqual(expect.arrayContaining(['shipment.created']));
    expect(kinds('tracking')).toEqual(expect.arrayContaining(['tracking.delivered']));
    expect(kinds('webhook')).toEqual(expect.arrayContaining(['delivery.attempt', 'delivery.delivered']));
    expect(kinds('ticket')).toEqual(expect.arrayContaining(['ticket.opened', 'ticket.comment']));
    expect(timeline.find((e) => e.kind === 'ticket.comment')).toMatchObject({ lineId: '1', data: { visibleToMall: false, comment: '内部备注：已联系品牌方核实，会员电话 [phone]', actorType: 'agent' } });
    expect(timeline.find((e) => e.source === 'refund')).toMatchObject({ kind: 'refund.written', lineId: '1', data: { units: 1, ref: 'staff:tl-refund-1' } });
    const staff = timeline.filter((e) => e.source === 'staff').map((e) => e.data.action);
    expect(staff).toEqual(expect.arrayContaining(['ticket.comment', 'order.refund']));
    // The line's mall events in seq order, each once.
    const seqs = timeline.filter((e) => e.source === 'line' && e.kind !== 'line.created').map((e) => e.data.seq as number);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i + 1));
    // Every entry on the line names it (webhook deliveries are the order's).
    for (const e of timeline.filter((x) => !['webhook'].includes(x.source) && !['order.accepted', 'order.completed', 'order.partially_failed'].includes(x.kind))) {
      expect({ kind: e.kind, lineId: e.lineId }).toEqual({ kind: e.kind, lineId: '1' });
    }
  });

  it('an agent reads the recipient masked and nothing is audited; an admin reads it in full and the read is audited', async () => {
    const reads = () => sql<{ actor_type: string; after: any; request_id: string }[]>("select actor_type, after, request_id from audit_entry where resource_id = ? and action = 'order.read_personal_data' order by at, id", [orderId]);
    const before = (await reads()).length;
    const a = await json(await get(agent));
    expect(a.recipient).toEqual({ name: '欧***', phone: '136****8765', province: '北京', city: '北京市', district: '朝阳区', address: '****', masked: true });
    const text = JSON.stringify(a);
    for (const secret of [recipient.phone, recipient.name, recipient.address, '望京街']) expect(text).not.toContain(secret);
    expect(await reads()).toHaveLength(before);

    const b = await json(await get(admin, { 'x-request-id': 'tl-admin-read' }));
    expect(b.recipient).toEqual({ ...recipient, masked: false });
    // The recipient stays out of the timeline, whoever reads it; an admin reads free text (a staff note) as written.
    const timeline = JSON.stringify(b.timeline);
    for (const secret of [recipient.name, recipient.address]) expect(timeline).not.toContain(secret);
    expect(b.timeline.find((e: any) => e.kind === 'ticket.comment').data.comment).toBe('内部备注：已联系品牌方核实，会员电话 13612348765');
    const audited = await reads();
    expect(audited).toHaveLength(before + 1);
    expect(audited.at(-1)).toMatchObject({ actor_type: 'admin', request_id: 'tl-admin-read', after: { fields: ['recipient'] } });
    // The read shows in the order's timeline as a staff entry from then on.
    const again = await json(await get(agent));
    expect(again.timeline.filter((e: any) => e.source === 'staff' && e.data.action === 'order.read_personal_data')).toHaveLength(1);
  });

  it('404 for an unknown order; 401 for a mall key', async () => {
    expect((await hub.call('GET', '/admin/orders/ord_00000000000000000000000000000000', { token: agent })).status).toBe(404);
    expect((await hub.call('GET', `/admin/orders/${orderId}`, { token: mall.apiKey })).status).toBe(401);
  });
});
