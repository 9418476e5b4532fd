import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBrandWebhook } from '../../connectors/brand/sign.ts';
import { signedPushBody } from '../../connectors/sandbox/taobao/pushes.ts';
import { callbackBody } from '../../connectors/sandbox/topup/lifecycle.ts';
import { processInboundEvent } from '../../src/supplier-events/process-inbound.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';
import { seedPlacedLine, snapshot } from '../supplier-events/seed.ts';

let hub: TestHub;
let mallId: string;
let apiKey: string;
const supplierNow = new Date('2026-11-23T02:00:00Z');

beforeAll(async () => {
  hub = await startTestHub({ supplierNow: () => supplierNow });
  ({ mallId, apiKey } = await hub.createMall('Webhook mall'));
});
afterAll(async () => {
  await hub?.close();
});

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const who = () => ({ appSecret: hub.config.suppliers.taobao.appSecret, userId: 1, nick: 'hub' });
const processAll = async () => {
  const rows = await sql<{ id: string }[]>("select id from inbound_event where status = 'received' order by received_at");
  for (const r of rows) await processInboundEvent({ em: hub.deps.orm.em, clock: hub.clock, connectors: hub.deps.connectors, scheduleRun: async () => undefined }, r.id);
};
const shippedPush = (fenxiaoId: string, msgId: string, trace: { at: string; action: string; desc: string }[], status = 'WAIT_BUYER_CONFIRM_GOODS') =>
  signedPushBody(
    'fenxiao_OrderShipped',
    {
      fenxiao_id: fenxiaoId, status, logistics_company_code: 'SF', logistics_id: `SF${fenxiaoId}`, consign_time: trace[0]?.at, modified: trace.at(-1)?.at,
      trace: trace.map((t) => ({ status_time: t.at, action: t.action, status_desc: t.desc })),
    },
    msgId,
    supplierNow,
    who(),
  );

describe('POST /webhooks/taobao', () => {
  it('stores a push, answers TOP’s own acknowledgement, and applies it once however often it comes', async () => {
    const line = await seedPlacedLine(hub, mallId, { supplierId: 'taobao', supplierOrderId: '90001' });
    const body = shippedPush('90001', 'msg-1', [{ at: '2026-11-23 10:00:00', action: 'CONSIGN', desc: '已揽收' }]);
    const first = await hub.call('POST', '/webhooks/taobao', { rawBody: body, headers: { 'content-type': 'application/json' } });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ success: true });
    expect(first.headers.get('x-hub-inbound-event')).toBe('stored');
    const again = await hub.call('POST', '/webhooks/taobao', { rawBody: body, headers: { 'content-type': 'application/json' } });
    expect(again.status).toBe(200);
    expect(again.headers.get('x-hub-inbound-event')).toBe('duplicate');
    expect(await sql("select id from inbound_event where supplier = 'taobao' and event_id = 'msg-1'")).toHaveLength(1);
    await processAll();
    const order = await json(await hub.call('GET', `/v1/orders/${line.orderId}`, { token: apiKey }));
    expect(order.lines[0]).toMatchObject({ status: 'shipped', shipments: [{ carrier: 'SF', trackingNo: 'SF90001', status: 'picked_up', events: [{ status: 'picked_up', description: '已揽收' }] }] });
    const events = await sql<{ type: string }[]>('select type from mall_event where order_id = ? order by seq', [line.orderId]);
    expect(events.map((e) => e.type)).toEqual(['line.shipped']);
  });

  it('answers 401 with a machine-readable error for a bad signature, and changes nothing', async () => {
    await seedPlacedLine(hub, mallId, { supplierId: 'taobao', supplierOrderId: '90002' });
    const before = await snapshot(hub);
    const body = JSON.parse(shippedPush('90002', 'msg-bad', [{ at: '2026-11-23 10:00:00', action: 'CONSIGN', desc: '已揽收' }])) as Record<string, unknown>;
    const res = await hub.call('POST', '/webhooks/taobao', { rawBody: JSON.stringify({ ...body, sign: 'DEADBEEF' }) });
    expect(res.status).toBe(401);
    expect((await json(res)).error).toMatchObject({ code: 'unauthorized', details: { reason: 'bad_signature' } });
    const garbage = await hub.call('POST', '/webhooks/taobao', { rawBody: 'not json' });
    expect(garbage.status).toBe(401);
    expect(await snapshot(hub)).toEqual(before);
  });
});

describe('POST /webhooks/brand/{supplierId}', () => {
  const delivery = (event: object, at = supplierNow) => {
    const rawBody = JSON.stringify(event);
    const secret = hub.config.suppliers.brands.find((b) => b.id === 'brand-acme')?.webhookSecret as string;
    return { rawBody, headers: { 'content-type': 'application/json', 'x-brand-signature': signBrandWebhook(rawBody, secret, Math.floor(at.getTime() / 1000)) } };
  };

  it('rejects a stale signature with 401 and stores nothing', async () => {
    const before = await snapshot(hub);
    const d = delivery({ id: 'evt_stale', type: 'order.delivered', created: supplierNow.toISOString(), data: { orderId: 'BO-1' } }, new Date(supplierNow.getTime() - 3600_000));
    const res = await hub.call('POST', '/webhooks/brand/brand-acme', d);
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('unauthorized');
    expect(await snapshot(hub)).toEqual(before);
  });

  it('answers 404 for a supplier the hub does not know', async () => {
    const d = delivery({ id: 'evt_x', type: 'order.delivered', created: supplierNow.toISOString(), data: { orderId: 'BO-1' } });
    const res = await hub.call('POST', '/webhooks/brand/brand-nobody', d);
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
    // A top-up provider is not a brand.
    expect((await hub.call('POST', '/webhooks/brand/topup-fulu', d)).status).toBe(404);
  });

  it('acknowledges with {"received":true} and records shipment then delivery', async () => {
    const line = await seedPlacedLine(hub, mallId, { supplierId: 'brand-acme', supplierOrderId: 'BO-2' });
    const shipment = { carrier: 'ZTO', trackingNumber: 'ZT-2', items: [], shippedAt: '2026-11-23T03:00:00Z', events: [{ status: 'picked_up', at: '2026-11-23T03:00:00Z', description: 'picked up', location: 'Hangzhou' }] };
    const shipped = await hub.call('POST', '/webhooks/brand/brand-acme', delivery({ id: 'evt_s2', type: 'order.shipped', created: '2026-11-23T03:00:00Z', data: { orderId: 'BO-2', clientReference: line.reference, shipment } }));
    expect(shipped.status).toBe(200);
    expect(await shipped.json()).toEqual({ received: true });
    await hub.call('POST', '/webhooks/brand/brand-acme', delivery({ id: 'evt_d2', type: 'order.delivered', created: '2026-11-24T03:00:00Z', data: { orderId: 'BO-2', trackingNumber: 'ZT-2' } }));
    await processAll();
    const order = await json(await hub.call('GET', `/v1/orders/${line.orderId}`, { token: apiKey }));
    expect(order.lines[0]).toMatchObject({ status: 'delivered', quantityFulfilled: 1, shipments: [{ carrier: 'ZTO', trackingNo: 'ZT-2', status: 'delivered' }] });
    expect(order.lines[0].shipments[0].events.map((e: { status: string }) => e.status)).toEqual(['picked_up', 'delivered']);
    expect(order.lines[0].shipments[0].events[0].location).toBe('Hangzhou');
  });
});

describe('POST /webhooks/topup/{provider}', () => {
  const secret = () => hub.config.suppliers.topups.find((t) => t.id === 'topup-fulu')?.appSecret as string;
  const cb = (status: string, orderId = 'TP-1') =>
    JSON.stringify(callbackBody({ orderId, customerOrderNo: 'ref-1', status: status as never, description: status, finishedAt: supplierNow }, secret(), supplierNow));

  it('answers the plain-text `success` the platform needs, once stored', async () => {
    const res = await hub.call('POST', '/webhooks/topup/topup-fulu', { rawBody: cb('success'), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await res.text()).toBe('success');
    const dup = await hub.call('POST', '/webhooks/topup/topup-fulu', { rawBody: cb('success') });
    expect(await dup.text()).toBe('success');
    expect(dup.headers.get('x-hub-inbound-event')).toBe('duplicate');
  });

  it('rejects a callback signed with another secret (401) and an unknown provider (404)', async () => {
    const forged = JSON.stringify(callbackBody({ orderId: 'TP-9', customerOrderNo: 'r', status: 'success' as never, description: '', finishedAt: supplierNow }, 'wrong-secret', supplierNow));
    const before = await snapshot(hub);
    expect((await hub.call('POST', '/webhooks/topup/topup-fulu', { rawBody: forged })).status).toBe(401);
    expect((await hub.call('POST', '/webhooks/topup/topup-nobody', { rawBody: forged })).status).toBe(404);
    expect(await snapshot(hub)).toEqual(before);
  });
});
