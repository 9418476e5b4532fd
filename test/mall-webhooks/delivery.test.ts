import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWebhooks } from '../../src/mall-webhooks/deliver.ts';
import { dispatchWebhooks, webhookDeliverDeps } from '../../src/queues/processors/webhook-delivery.processor.ts';
import { ADMIN_TOKEN, json } from '../support/hub.ts';
import { startReceiver, until } from './receiver.ts';
import { orderEvents, startWebhookHub } from './webhook-hub.ts';

let h: Awaited<ReturnType<typeof startWebhookHub>>;
let rx: Awaited<ReturnType<typeof startReceiver>>;
let mall: { mallId: string; apiKey: string; webhookSecret: string };

beforeAll(async () => {
  h = await startWebhookHub();
  rx = await startReceiver();
  mall = await h.hub.createMall('Webhook mall', { webhookUrl: rx.url });
  rx.state.secrets = [mall.webhookSecret];
});
afterAll(async () => {
  await h?.close();
  await rx?.close();
});

const statusOf = async (eventId: string) => (await h.sql<{ status: string; attempts: number }[]>('select status, attempts from webhook_delivery where event_id = ?', [eventId]))[0];

describe('webhook delivery to the mall', () => {
  it('delivers every event signed per Standard Webhooks after the endpoint was down, same ids, per-order seq without gaps', async () => {
    // Down (503) for each event's first two attempts, then up.
    rx.state.answer = (_id, n) => (n <= 2 ? 503 : 200);
    const ids = [
      ...(await h.append(mall.mallId, orderEvents('ord_a', 'M-A'))),
      ...(await h.append(mall.mallId, orderEvents('ord_b', 'M-B'))),
      ...(await h.append(mall.mallId, [{ type: 'catalog.changed', data: { cursor: 'c42' } }])),
    ];
    expect(await h.dispatch()).toBe(ids.length);
    // Recorded, not only received: the attempts are written after the mall answers.
    await until(async () => (await h.sql<object[]>("select 1 from webhook_delivery where status = 'delivered' and event_id in (select jsonb_array_elements_text(?::jsonb))", [JSON.stringify(ids)])).length === ids.length, 15_000, 'every event delivered');

    const delivered = rx.delivered();
    expect([...delivered.keys()].sort()).toEqual([...ids].sort());
    for (const r of rx.received) {
      expect(r.verifiedBy).toEqual([mall.webhookSecret]);
      expect(r.json.id).toBe(r.id);
      expect(ids).toContain(r.id);
    }
    // Each id was tried three times with the same id and the same body.
    for (const id of ids) {
      const tries = rx.received.filter((r) => r.id === id);
      expect(tries.map((t) => t.answered)).toEqual([503, 503, 200]);
      expect(new Set(tries.map((t) => t.body)).size).toBe(1);
    }
    for (const [orderId, mallOrderId] of [['ord_a', 'M-A'], ['ord_b', 'M-B']]) {
      const events = [...delivered.values()].filter((r) => r.json.data.orderId === orderId);
      expect(events.map((e) => e.json.data.seq).sort()).toEqual([1, 2, 3, 4]);
      for (const e of events.filter((x) => x.json.type !== 'line.delivered')) expect(e.json.data.mallOrderId).toBe(mallOrderId);
      for (const e of events.filter((x) => x.json.type.startsWith('line.'))) expect(e.json.data.lineId).toBe('L1');
    }
    const catalog = delivered.get(ids.at(-1) as string);
    expect(catalog?.json).toMatchObject({ type: 'catalog.changed', data: { cursor: 'c42' } });
    expect(catalog?.json.data.seq).toBeUndefined();
    expect(typeof catalog?.json.createdAt).toBe('string');
    expect(await statusOf(ids[0] as string)).toEqual({ status: 'delivered', attempts: 3 });
    // Published once: a second dispatch finds nothing.
    expect(await h.dispatch()).toBe(0);
  });

  it('cuts dispatch rounds and delivery jobs small while the worker yields to an intake burst', async () => {
    rx.state.answer = () => 200;
    const ids = await h.append(mall.mallId, Array.from({ length: 60 }, (_, i) => ({ type: 'catalog.changed', data: { cursor: `y${i}` } })));
    let rounds = 0;
    const gate = { yielding: true, run: <T>(task: () => Promise<T>) => { rounds++; return task(); } };
    const { queues } = h.hub.deps;
    const jobSizes: number[] = [];
    const addBulk = queues.addBulk.bind(queues);
    queues.addBulk = ((key, jobs, opts) => {
      for (const j of jobs) jobSizes.push((j.payload as { deliveries: unknown[] }).deliveries.length);
      return addBulk(key, jobs, opts);
    }) as typeof queues.addBulk;
    try {
      expect(await dispatchWebhooks({ em: h.hub.deps.orm.em, clock: h.hub.clock, queues, batchSize: 200, gate })).toBe(60);
    } finally {
      queues.addBulk = addBulk;
    }
    // 60 events: a round of 50 and a round of 10, each through the gate; jobs of at most 25 deliveries.
    expect(rounds).toBe(2);
    expect(jobSizes).toEqual([25, 25, 10]);
    await until(async () => (await h.sql<object[]>("select 1 from webhook_delivery where status = 'delivered' and event_id in (select jsonb_array_elements_text(?::jsonb))", [JSON.stringify(ids)])).length === 60, 15_000, 'every event delivered');
  });

  it('records every attempt with status, latency and a response snippet of at most 500 characters', async () => {
    const [id] = await h.append(mall.mallId, [{ type: 'line.failed', orderId: 'ord_c', data: { orderId: 'ord_c', mallOrderId: 'M-C', lineId: 'L1' } }]);
    rx.state.answer = (_id, n) => (n === 1 ? 500 : 200);
    await h.dispatch();
    // Recorded, not only received: the attempt is written after the mall answers.
    await until(async () => (await statusOf(id as string))?.status === 'delivered', 10_000, 'delivered');
    const [d] = await h.sql<{ id: string }[]>('select id from webhook_delivery where event_id = ?', [id]);
    const res = await h.hub.call('GET', `/admin/webhook-deliveries/${d?.id}`, { token: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ eventId: id, status: 'delivered', attempts: 2, lastStatus: 200 });
    expect(body.attemptLog).toHaveLength(2);
    expect(body.attemptLog[0]).toMatchObject({ statusCode: 500, error: null });
    expect(body.attemptLog[0].responseSnippet.length).toBe(500);
    expect(body.attemptLog[1]).toMatchObject({ statusCode: 200, responseSnippet: 'ok' });
    expect(body.attemptLog[0].latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('gives up after the last wait of the schedule: the delivery is dead', async () => {
    const [id] = await h.append(mall.mallId, [{ type: 'refund.required', orderId: 'ord_d', data: { orderId: 'ord_d', mallOrderId: 'M-D', lineId: 'L1', points: 100, cashFen: 0, reason: 'supplier_failed' } }]);
    rx.state.answer = () => 503;
    await h.dispatch();
    await until(async () => (await statusOf(id as string))?.status === 'dead', 10_000, 'dead');
    expect(await statusOf(id as string)).toEqual({ status: 'dead', attempts: 4 });
    expect(rx.received.filter((r) => r.id === id)).toHaveLength(4);
  });

  it('410 disables the mall endpoint; its deliveries wait and go after an admin re-enables it', async () => {
    rx.state.answer = () => 410;
    const [first] = await h.append(mall.mallId, [{ type: 'line.cancelled', orderId: 'ord_e', data: { orderId: 'ord_e', mallOrderId: 'M-E', lineId: 'L1' } }]);
    await h.dispatch();
    await until(async () => (await h.sql<{ webhook_enabled: boolean }[]>('select webhook_enabled from mall where id = ?', [mall.mallId]))[0]?.webhook_enabled === false, 10_000, 'disabled');
    const health = await json(await h.hub.call('GET', `/admin/malls/${mall.mallId}/webhook-health`, { token: ADMIN_TOKEN }));
    // The dead delivery's four 503s, then the 410.
    expect(health).toMatchObject({ enabled: false, consecutiveFailures: 5, dead: 1, pending: 1 });
    expect(health.disabledReason).toMatch(/410/);
    expect(health.failingSince).not.toBeNull();
    // Events while disabled are stored, not sent.
    const [second] = await h.append(mall.mallId, [{ type: 'line.issued', orderId: 'ord_f', data: { orderId: 'ord_f', mallOrderId: 'M-F', lineId: 'L1' } }]);
    await h.dispatch();
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.received.filter((r) => r.id === second)).toHaveLength(0);
    expect(await statusOf(first as string)).toMatchObject({ status: 'pending', attempts: 1 });

    rx.state.answer = () => 200;
    const agent = await json(await h.hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: 'a' } }));
    expect((await h.hub.call('POST', `/admin/malls/${mall.mallId}/webhook/enable`, { token: agent.token })).status).toBe(403);
    const res = await h.hub.call('POST', `/admin/malls/${mall.mallId}/webhook/enable`, { token: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ enabled: true, queued: 2 });
    await until(async () => (await statusOf(first as string))?.status === 'delivered' && (await statusOf(second as string))?.status === 'delivered', 10_000, 'both delivered');
    const after = await json(await h.hub.call('GET', `/admin/malls/${mall.mallId}/webhook-health`, { token: ADMIN_TOKEN }));
    expect(after).toMatchObject({ enabled: true, consecutiveFailures: 0, failingSince: null, pending: 0 });
    const audit = await h.sql<{ action: string }[]>("select action from audit_entry where action = 'mall.webhook_enable'");
    expect(audit).toHaveLength(1);
  });

  it('during secret rotation signs with both secrets: the old and the new one each verify', async () => {
    rx.state.answer = () => 200;
    const rot = await json(await h.hub.call('POST', `/admin/malls/${mall.mallId}/webhook-secret/rotate`, { token: ADMIN_TOKEN }));
    expect(rot.webhookSecret).toMatch(/^whsec_/);
    rx.state.secrets = [mall.webhookSecret, rot.webhookSecret];
    const [id] = await h.append(mall.mallId, [{ type: 'aftersale.updated', orderId: 'ord_g', data: { orderId: 'ord_g', mallOrderId: 'M-G', lineId: 'L1' } }]);
    await h.dispatch();
    await until(() => rx.delivered().has(id as string), 10_000);
    const r = rx.delivered().get(id as string);
    expect(r?.verifiedBy).toEqual([mall.webhookSecret, rot.webhookSecret]);
    expect(String(r?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    mall.webhookSecret = rot.webhookSecret;
  });

  it('re-checks the address at delivery: a loopback URL outside sandbox mode is a failed attempt, nothing is sent', async () => {
    const [id] = await h.append(mall.mallId, [{ type: 'line.rerouted', orderId: 'ord_h', data: { orderId: 'ord_h', mallOrderId: 'M-H', lineId: 'L1' } }]);
    // Stored, not queued: drive one attempt directly with sandbox mode off.
    await h.hub.deps.orm.em.fork().getConnection().execute("update mall set webhook_enabled = false where id = ?", [mall.mallId]);
    await h.dispatch();
    await h.hub.deps.orm.em.fork().getConnection().execute("update mall set webhook_enabled = true where id = ?", [mall.mallId]);
    const [d] = await h.sql<{ id: string }[]>('select id from webhook_delivery where event_id = ?', [id]);
    const jobs: unknown[] = [];
    const deps = { ...webhookDeliverDeps(h.hub.deps), allowPrivate: false, enqueue: async (due: unknown[], delayMs: number) => jobs.push({ due, delayMs }) };
    const [out] = await deliverWebhooks([{ deliveryId: d?.id as string, mallId: mall.mallId, attempt: 0 }], deps);
    expect(out).toMatchObject({ outcome: 'failed', statusCode: null });
    expect(rx.received.filter((r) => r.id === id)).toHaveLength(0);
    const [a] = await h.sql<{ error: string; status_code: number | null }[]>('select error, status_code from webhook_attempt where delivery_id = ?', [d?.id]);
    expect(a?.status_code).toBeNull();
    expect(a?.error).toMatch(/address refused: .*loopback/);
    expect(jobs).toEqual([{ due: [{ deliveryId: d?.id, mallId: mall.mallId, attempt: 1 }], delayMs: 50 }]);
    // A stale job (attempt 0 again) does nothing.
    expect(await deliverWebhooks([{ deliveryId: d?.id as string, mallId: mall.mallId, attempt: 0 }], deps)).toEqual([{ outcome: 'skipped' }]);
  });

  it('records an endpoint that never answers as a timed-out attempt, and one that refuses connections by its error', async () => {
    const silent = createServer(() => undefined); // reads the request, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as AddressInfo).port;
    const other = await h.hub.createMall('Silent mall', { webhookUrl: `http://127.0.0.1:${port}/hook` });
    const gone = await h.hub.createMall('Gone mall', { webhookUrl: 'http://127.0.0.1:9/hook' });
    try {
      const [slow] = await h.append(other.mallId, [{ type: 'line.rerouted', orderId: 'ord_t', data: { orderId: 'ord_t', mallOrderId: 'M-T', lineId: 'L1' } }]);
      const [refused] = await h.append(gone.mallId, [{ type: 'line.rerouted', orderId: 'ord_u', data: { orderId: 'ord_u', mallOrderId: 'M-U', lineId: 'L1' } }]);
      await h.hub.deps.orm.em.fork().getConnection().execute('update mall set webhook_enabled = false where id in (?, ?)', [other.mallId, gone.mallId]);
      await h.dispatch();
      await h.hub.deps.orm.em.fork().getConnection().execute('update mall set webhook_enabled = true where id in (?, ?)', [other.mallId, gone.mallId]);
      const deps = { ...webhookDeliverDeps(h.hub.deps), timeoutMs: 300, enqueue: async () => undefined };
      for (const [mallId, eventId, error] of [[other.mallId, slow, /^timed out after 300 ms$/], [gone.mallId, refused, /ECONNREFUSED/]] as const) {
        const [d] = await h.sql<{ id: string }[]>('select id from webhook_delivery where event_id = ?', [eventId]);
        const started = Date.now();
        const [out] = await deliverWebhooks([{ deliveryId: d?.id as string, mallId, attempt: 0 }], deps);
        expect(Date.now() - started).toBeLessThan(3_000);
        expect(out).toMatchObject({ outcome: 'failed', statusCode: null });
        const [a] = await h.sql<{ error: string; status_code: number | null }[]>('select error, status_code from webhook_attempt where delivery_id = ?', [d?.id]);
        expect(a?.status_code).toBeNull();
        expect(a?.error).toMatch(error);
      }
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
