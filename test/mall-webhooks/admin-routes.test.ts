import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchMallEvents } from '../../src/mall-webhooks/webhook-deliveries.ts';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import type { WebhookDeliveryView } from '../../src/http/routes/admin/webhook-deliveries.ts';
import { ADMIN_TOKEN, json } from '../support/hub.ts';
import { startReceiver, until } from './receiver.ts';
import { startWebhookHub } from './webhook-hub.ts';

let h: Awaited<ReturnType<typeof startWebhookHub>>;
let rx: Awaited<ReturnType<typeof startReceiver>>;
let mall: { mallId: string; webhookSecret: string };
let agent: string;
let deadEvent: string;

const deliveryOf = async (eventId: string) => (await h.sql<{ id: string; status: string }[]>('select id, status from webhook_delivery where event_id = ?', [eventId]))[0] as { id: string; status: string };

beforeAll(async () => {
  h = await startWebhookHub();
  rx = await startReceiver();
  mall = await h.hub.createMall('Admin webhook mall', { webhookUrl: rx.url });
  rx.state.secrets = [mall.webhookSecret];
  agent = (await json(await h.hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: 'agent' } }))).token;
  // One delivered order event, one dead one.
  rx.state.answer = (id) => (id === deadEvent ? 503 : 200);
  const [ok] = await h.append(mall.mallId, [{ type: 'order.accepted', orderId: 'ord_1', data: { orderId: 'ord_1', mallOrderId: 'M-1' } }]);
  [deadEvent] = await h.append(mall.mallId, [{ type: 'line.failed', orderId: 'ord_2', data: { orderId: 'ord_2', mallOrderId: 'M-2', lineId: 'L1' } }]) as [string];
  await h.dispatch();
  await until(async () => (await deliveryOf(ok as string)).status === 'delivered' && (await deliveryOf(deadEvent)).status === 'dead', 10_000, 'settled');
});
afterAll(async () => {
  await h?.close();
  await rx?.close();
});

describe('admin webhook deliveries', () => {
  it('GET /admin/webhook-deliveries lists by mall, order and status with attempts, for agents too', async () => {
    const res = await h.hub.call('GET', `/admin/webhook-deliveries?mallId=${mall.mallId}&status=dead`, { token: agent });
    expect(res.status).toBe(200);
    const page = await json<{ items: WebhookDeliveryView[]; nextCursor: string | null }>(res);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ eventId: deadEvent, status: 'dead', attempts: 4, orderId: 'ord_2', lastStatus: 503 });
    expect(page.items[0]?.attemptLog.map((a) => a.statusCode)).toEqual([503, 503, 503, 503]);
    const byOrder = await json(await h.hub.call('GET', '/admin/webhook-deliveries?orderId=ord_1', { token: ADMIN_TOKEN }));
    expect(byOrder.items.map((d: WebhookDeliveryView) => d.status)).toEqual(['delivered']);
    const first = await json(await h.hub.call('GET', '/admin/webhook-deliveries?limit=1', { token: ADMIN_TOKEN }));
    expect(first.items).toHaveLength(1);
    const next = await json(await h.hub.call('GET', `/admin/webhook-deliveries?limit=1&cursor=${first.nextCursor}`, { token: ADMIN_TOKEN }));
    expect(next.items[0].id).not.toBe(first.items[0].id);
  });

  it('answers 400 for a bad status or cursor, 404 for an unknown delivery, 401 without a token', async () => {
    const bad = await h.hub.call('GET', '/admin/webhook-deliveries?status=lost', { token: ADMIN_TOKEN });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('validation_failed');
    expect((await h.hub.call('GET', '/admin/webhook-deliveries?cursor=zzz', { token: ADMIN_TOKEN })).status).toBe(400);
    expect((await h.hub.call('GET', '/admin/webhook-deliveries/whd_nope', { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await h.hub.call('POST', '/admin/webhook-deliveries/whd_nope/replay', { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await h.hub.call('POST', '/admin/malls/mall_nope/webhook-deliveries/replay-failed', { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await h.hub.call('GET', '/admin/malls/mall_nope/webhook-health', { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await h.hub.call('GET', '/admin/webhook-deliveries')).status).toBe(401);
  });

  it('an agent token gets 403 on the routes that change things', async () => {
    const d = await deliveryOf(deadEvent);
    expect((await h.hub.call('POST', `/admin/webhook-deliveries/${d.id}/replay`, { token: agent })).status).toBe(403);
    expect((await h.hub.call('POST', `/admin/malls/${mall.mallId}/webhook-deliveries/replay-failed`, { token: agent })).status).toBe(403);
    expect((await h.hub.call('POST', `/admin/malls/${mall.mallId}/webhook/enable`, { token: agent })).status).toBe(403);
    expect((await deliveryOf(deadEvent)).status).toBe('dead');
  });

  it('POST /admin/webhook-deliveries/{id}/replay sends a dead delivery again with the same id, audited', async () => {
    const d = await deliveryOf(deadEvent);
    rx.state.answer = () => 200;
    const res = await h.hub.call('POST', `/admin/webhook-deliveries/${d.id}/replay`, { token: ADMIN_TOKEN });
    expect(res.status).toBe(202);
    // Recorded, not only received: the attempt is written after the mall answers.
    await until(async () => (await deliveryOf(deadEvent)).status === 'delivered', 10_000, 'replayed');
    expect(rx.received.filter((r) => r.id === deadEvent).map((r) => r.answered)).toEqual([503, 503, 503, 503, 200]);
    const audit = await h.sql<{ resource_id: string; before: unknown }[]>("select resource_id, before from audit_entry where action = 'webhook_delivery.replay'");
    expect(audit).toEqual([{ resource_id: d.id, before: { status: 'dead' } }]);
  });

  it('POST /admin/malls/{mallId}/webhook-deliveries/replay-failed sends every failed and dead delivery again', async () => {
    rx.state.answer = () => 503;
    const ids = await h.append(mall.mallId, [1, 2, 3].map((i) => ({ type: 'line.shipped', orderId: `ord_r${i}`, data: { orderId: `ord_r${i}`, mallOrderId: `M-R${i}`, lineId: 'L1' } })));
    await h.dispatch();
    await until(async () => (await Promise.all(ids.map(deliveryOf))).every((d) => d.status === 'dead'), 10_000, 'dead');
    rx.state.answer = () => 200;
    const res = await h.hub.call('POST', `/admin/malls/${mall.mallId}/webhook-deliveries/replay-failed`, { token: ADMIN_TOKEN });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ queued: 3 });
    await until(() => ids.every((id) => rx.delivered().has(id)), 10_000, 'all replayed');
    // Recorded, not only received: health counts what the hub wrote after the mall answered.
    await until(async () => (await Promise.all(ids.map(deliveryOf))).every((d) => d.status === 'delivered'), 10_000, 'recorded');
    const health = await json(await h.hub.call('GET', `/admin/malls/${mall.mallId}/webhook-health`, { token: agent }));
    expect(health).toMatchObject({ enabled: true, consecutiveFailures: 0, failingSince: null, pending: 0, failed: 0, dead: 0 });
    const audit = await h.sql<object[]>("select 1 from audit_entry where action = 'webhook_delivery.replay_failed' and resource_id = ?", [mall.mallId]);
    expect(audit).toHaveLength(1);
  });

  it('the reconciler queues a due delivery whose job Redis lost', async () => {
    rx.state.answer = () => 200;
    const [id] = await h.append(mall.mallId, [{ type: 'catalog.changed', data: { cursor: 'c7' } }]);
    // Made a delivery, but the job never reached Redis.
    const made = await dispatchMallEvents(h.hub.deps.orm.em, h.hub.clock);
    expect(made.jobs).toHaveLength(1);
    const deps = { em: h.hub.deps.orm.em.fork(), clock: h.hub.clock, requeueWebhookDeliveries: h.enqueue };
    expect(await processMaintenance({ task: 'requeue-webhook-deliveries' }, deps)).toEqual({ affected: 0 });
    h.hub.clock.advance(61_000);
    expect(await processMaintenance({ task: 'requeue-webhook-deliveries' }, deps)).toEqual({ affected: 1 });
    await until(() => rx.delivered().has(id as string), 10_000, 'reconciled');
    expect(rx.received.filter((r) => r.id === id)).toHaveLength(1);
  });

  it('the admin routes are in the OpenAPI document', async () => {
    const doc = await json(await h.hub.call('GET', '/openapi.json'));
    for (const p of ['/admin/webhook-deliveries', '/admin/webhook-deliveries/{id}', '/admin/webhook-deliveries/{id}/replay', '/admin/malls/{mallId}/webhook-deliveries/replay-failed', '/admin/malls/{mallId}/webhook/enable', '/admin/malls/{mallId}/webhook-health']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});
