import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDeliveries } from '../../src/mall-webhooks/webhook-attempts.ts';
import { dispatchMallEvents, type DueDelivery } from '../../src/mall-webhooks/webhook-deliveries.ts';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { webhookBatches, webhookDeliverDeps, webhookJobId } from '../../src/queues/processors/webhook-delivery.processor.ts';
import { deliverWebhooks } from '../../src/mall-webhooks/deliver.ts';
import { seedPlacedLine } from '../supplier-events/seed.ts';
import { startReceiver, until } from './receiver.ts';
import { startWebhookHub } from './webhook-hub.ts';

const due = (mallId: string, n: number, attempt = 0): DueDelivery[] => Array.from({ length: n }, (_, i) => ({ deliveryId: `${mallId}-d${i}`, mallId, attempt }));

describe('webhook jobs are batches of one mall', () => {
  it('groups deliveries by mall, keeps their order and cuts batches at the batch size', () => {
    const a = due('mall_a', 5);
    const b = due('mall_b', 2);
    const jobs = webhookBatches([a[0], b[0], a[1], a[2], b[1], a[3], a[4]] as DueDelivery[], 2);
    expect(jobs.map((j) => [j.payload.mallId, j.payload.deliveries.map((d) => d.deliveryId)])).toEqual([
      ['mall_a', ['mall_a-d0', 'mall_a-d1']],
      ['mall_a', ['mall_a-d2', 'mall_a-d3']],
      ['mall_a', ['mall_a-d4']],
      ['mall_b', ['mall_b-d0', 'mall_b-d1']],
    ]);
  });

  it('names a batch by its deliveries and attempts: the same batch twice is one job, the next attempt a new one', () => {
    expect(webhookJobId(due('m', 3))).toBe(webhookJobId(due('m', 3)));
    expect(webhookJobId(due('m', 3))).not.toBe(webhookJobId(due('m', 3, 1)));
    expect(webhookJobId(due('m', 3))).not.toBe(webhookJobId(due('m', 4)));
    expect(webhookJobId(due('m', 3))).toMatch(/^whb-[\w-]{22}$/);
  });
});

describe('a batch of deliveries against a real mall endpoint', () => {
  let h: Awaited<ReturnType<typeof startWebhookHub>>;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let rx2: Awaited<ReturnType<typeof startReceiver>>;
  let mall: { mallId: string; webhookSecret: string };
  let other: { mallId: string; webhookSecret: string };

  beforeAll(async () => {
    h = await startWebhookHub({ HUB_WEBHOOK_BATCH: '10', HUB_WEBHOOK_PARALLEL: '4' });
    rx = await startReceiver();
    rx2 = await startReceiver();
    mall = await h.hub.createMall('Batch mall', { webhookUrl: rx.url });
    other = await h.hub.createMall('Other mall', { webhookUrl: rx2.url });
    rx.state.secrets = [mall.webhookSecret];
    rx2.state.secrets = [other.webhookSecret];
  });
  afterAll(async () => {
    await h?.close();
    await rx?.close();
    await rx2?.close();
  });

  it('records mixed answers of one batch one by one: each delivery gets its own attempt row and next step', async () => {
    const events = (orderId: string, n: number) => Array.from({ length: n }, (_, i) => ({ type: 'line.shipped', orderId, data: { orderId, mallOrderId: `M-${orderId}`, lineId: `L${i}` } }));
    const ids = await h.append(mall.mallId, events('ord_batch', 25));
    const otherIds = await h.append(other.mallId, events('ord_other', 5));
    // Every third event of the first mall fails once.
    const failOnce = new Set(ids.filter((_, i) => i % 3 === 0));
    rx.state.answer = (id, n) => (failOnce.has(id) && n === 1 ? 503 : 200);
    expect(await h.dispatch()).toBe(30);
    const recorded = (all: string[]) => h.sql<{ event_id: string; status: string; attempts: number }[]>(
      'select event_id, status, attempts from webhook_delivery where event_id in (select jsonb_array_elements_text(?::jsonb)) order by event_id', [JSON.stringify(all)]);
    await until(async () => (await recorded([...ids, ...otherIds])).every((d) => d.status === 'delivered'), 15_000, 'all delivered');

    for (const d of await recorded(ids)) expect(d.attempts).toBe(failOnce.has(d.event_id) ? 2 : 1);
    for (const d of await recorded(otherIds)) expect(d.attempts).toBe(1);
    // Each mall got only its own events, each verified with its own secret.
    expect(new Set(rx.received.map((r) => r.id))).toEqual(new Set(ids));
    expect(new Set(rx2.received.map((r) => r.id))).toEqual(new Set(otherIds));
    expect(rx.received.every((r) => r.verifiedBy.length === 1)).toBe(true);
    const attempts = await h.sql<{ n: number; codes: string }[]>(
      `select count(*)::int n, string_agg(a.status_code::text, ',' order by a.id) codes from webhook_attempt a join webhook_delivery d on d.id = a.delivery_id
       where d.event_id in (select jsonb_array_elements_text(?::jsonb)) group by d.event_id order by d.event_id`, [JSON.stringify(ids)]);
    expect(attempts.reduce((s, a) => s + a.n, 0)).toBe(25 + failOnce.size);
    expect(attempts.filter((a) => a.codes === '503,200')).toHaveLength(failOnce.size);
  });

  it('a stale or duplicate batch does nothing: the delivery rows say which attempt is next', async () => {
    const [id] = await h.append(mall.mallId, [{ type: 'line.issued', orderId: 'ord_dup', data: { orderId: 'ord_dup', mallOrderId: 'M-dup', lineId: 'L1' } }]);
    rx.state.answer = () => 200;
    // Made a delivery without queueing it, then the same batch run twice at once and once more after.
    const made = await dispatchMallEvents(h.hub.deps.orm.em, h.hub.clock);
    const deps = webhookDeliverDeps(h.hub.deps);
    const [first, second] = await Promise.all([deliverWebhooks(made.jobs, deps), deliverWebhooks(made.jobs, { ...deps, em: h.hub.deps.orm.em.fork() })]);
    expect([first, second].flat().map((o) => o.outcome).sort()).toEqual(['delivered', 'skipped']);
    expect(await deliverWebhooks(made.jobs, deps)).toEqual([{ outcome: 'skipped' }]);
    expect(rx.received.filter((r) => r.id === id)).toHaveLength(1);
  });

  it("fills in the order's mallOrderId and seq when an event's data lacks them", async () => {
    rx.state.answer = () => 200;
    const line = await seedPlacedLine(h.hub, mall.mallId, { supplierId: 'brand-acme', supplierOrderId: 'BO-FILL' });
    const [id] = await h.append(mall.mallId, [{ type: 'line.delivered', orderId: line.orderId, data: { lineId: '1' } }]);
    await h.dispatch();
    await until(() => rx.delivered().has(id as string), 10_000, 'delivered');
    const { data } = (rx.delivered().get(id as string) as { json: { data: Record<string, unknown> } }).json;
    const [order] = await h.sql<{ mall_order_id: string }[]>('select mall_order_id from mall_order where id = ?', [line.orderId]);
    expect(data).toEqual({ lineId: '1', orderId: line.orderId, mallOrderId: order?.mall_order_id, seq: 1 });
  });

  it('a batch whose worker died mid-attempt is claimed, leased, and queued again by the reconciler only after its lease', async () => {
    rx.state.answer = () => 200;
    const [id] = await h.append(mall.mallId, [{ type: 'line.shipped', orderId: 'ord_lease', data: { orderId: 'ord_lease', mallOrderId: 'M-lease', lineId: 'L1' } }]);
    const made = await dispatchMallEvents(h.hub.deps.orm.em, h.hub.clock);
    // A worker claims the batch (the attempt is counted and leased), then dies before recording anything.
    const leaseMs = 120_000;
    expect(await claimDeliveries(h.hub.deps.orm.em.fork(), h.hub.clock, made.jobs, leaseMs)).toHaveLength(1);
    const deps = { em: h.hub.deps.orm.em.fork(), clock: h.hub.clock, requeueWebhookDeliveries: h.enqueue };
    // Past the reconciler's grace but inside the lease: the attempt may still be in flight.
    h.hub.clock.advance(61_000);
    expect(await processMaintenance({ task: 'requeue-webhook-deliveries' }, deps)).toEqual({ affected: 0 });
    h.hub.clock.advance(leaseMs);
    expect(await processMaintenance({ task: 'requeue-webhook-deliveries' }, deps)).toEqual({ affected: 1 });
    await until(async () => (await h.sql<{ status: string }[]>('select status from webhook_delivery where event_id = ?', [id]))[0]?.status === 'delivered', 10_000, 'delivered');
    // The lost attempt counts: the one that reached the mall is the second.
    const [d] = await h.sql<{ attempts: number }[]>('select attempts from webhook_delivery where event_id = ?', [id]);
    expect(d?.attempts).toBe(2);
    expect(rx.received.filter((r) => r.id === id)).toHaveLength(1);
  });
});
