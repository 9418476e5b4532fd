import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBrandWebhook } from '../../connectors/brand/sign.ts';
import { CallbackSender } from '../../connectors/sandbox/common/callbacks.ts';
import { Faults } from '../../connectors/sandbox/common/faults.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { processInboundEvent } from '../../src/supplier-events/process-inbound.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';
import { seedPlacedLine } from './seed.ts';

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let mallId: string;
let apiKey: string;
const supplierNow = new Date('2026-11-23T02:00:00Z');

beforeAll(async () => {
  hub = await startTestHub({ supplierNow: () => supplierNow });
  ({ mallId, apiKey } = await hub.createMall('Timeline mall'));
  // The hub's app on a real socket, so the sandbox's callback sender (with its faults) can post to it.
  server = await serveOnLoopback(new Hono().all('*', (c) => hub.app.fetch(c.req.raw)));
});
afterAll(async () => {
  await server?.close();
  await hub?.close();
});

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const processAll = async () => {
  const rows = await sql<{ id: string }[]>("select id from inbound_event where status = 'received' order by received_at");
  for (const r of rows) await processInboundEvent({ em: hub.deps.orm.em, clock: hub.clock, connectors: hub.deps.connectors, scheduleRun: async () => undefined }, r.id);
};
const secret = () => hub.config.suppliers.brands.find((b) => b.id === 'brand-acme')?.webhookSecret as string;
const mallEvents = async (orderId: string) => (await sql<{ type: string; data: Record<string, any> }[]>('select type, data from mall_event where order_id = ? order by seq', [orderId]));
const view = async (orderId: string) => json(await hub.call('GET', `/v1/orders/${orderId}`, { token: apiKey }));

/** Brand webhooks through the sandbox's sender: at least once, with the given callback faults. */
async function sendBrand(events: object[], callbacks: { duplicateRate?: number; reorder?: boolean }) {
  const faults = new Faults();
  faults.set({ callbacks: { duplicateRate: 0, reorder: false, delayMs: 0, dropRate: 0, ...callbacks } });
  const sender = new CallbackSender(faults, { retryDelayMs: 5 });
  for (const e of events) {
    const rawBody = JSON.stringify(e);
    sender.enqueue({
      url: `${server.url}/webhooks/brand/brand-acme`,
      get headers() {
        return { 'x-brand-signature': signBrandWebhook(rawBody, secret(), Math.floor(supplierNow.getTime() / 1000)) };
      },
      body: () => rawBody,
      accepted: (status) => status >= 200 && status < 300,
    });
  }
  await sender.flush();
  return sender.attempts;
}

const step = (status: string, at: string, description: string, location?: string) => ({ status, at, description, ...(location ? { location } : {}) });
function brandTrail(orderId: string, reference: string, tracking: string) {
  const shipment = (events: object[]) => ({ carrier: 'SF Express', trackingNumber: tracking, items: [], shippedAt: '2026-11-23T03:00:00Z', events });
  const e1 = step('picked_up', '2026-11-23T03:00:00Z', '已揽收', '杭州');
  const e2 = step('in_transit', '2026-11-23T09:00:00Z', '运输中', '上海');
  const e3 = step('out_for_delivery', '2026-11-24T01:00:00Z', '派送中', '北京');
  return [
    { id: `${tracking}-1`, type: 'order.shipped', created: '2026-11-23T03:00:00Z', data: { orderId, clientReference: reference, shipment: shipment([e1]) } },
    { id: `${tracking}-2`, type: 'order.shipped', created: '2026-11-23T09:00:00Z', data: { orderId, clientReference: reference, shipment: shipment([e1, e2]) } },
    { id: `${tracking}-3`, type: 'order.shipped', created: '2026-11-24T01:00:00Z', data: { orderId, clientReference: reference, shipment: shipment([e1, e2, e3]) } },
    { id: `${tracking}-4`, type: 'order.delivered', created: '2026-11-24T04:00:00Z', data: { orderId, clientReference: reference, trackingNumber: tracking } },
  ];
}

describe('logistics timeline from supplier callbacks', () => {
  it('builds one correct timeline from duplicated and reordered callbacks', async () => {
    const line = await seedPlacedLine(hub, mallId, { supplierId: 'brand-acme', supplierOrderId: 'BO-T1' });
    const attempts = await sendBrand(brandTrail('BO-T1', line.reference, 'SF-T1'), { duplicateRate: 1, reorder: true });
    // Every callback really came twice, and the delivery came first.
    expect(attempts.filter((a) => a.duplicate)).toHaveLength(4);
    expect(await sql("select 1 from inbound_event where supplier = 'brand-acme' and event_id like 'SF-T1-%'")).toHaveLength(4);
    await processAll();
    const o = await view(line.orderId);
    expect(o.lines[0]).toMatchObject({ status: 'delivered', shipments: [{ carrier: 'SF', trackingNo: 'SF-T1', status: 'delivered' }] });
    expect(o.lines[0].shipments[0].events).toEqual([
      { status: 'picked_up', at: '2026-11-23T03:00:00.000Z', location: '杭州', description: '已揽收' },
      { status: 'in_transit', at: '2026-11-23T09:00:00.000Z', location: '上海', description: '运输中' },
      { status: 'out_for_delivery', at: '2026-11-24T01:00:00.000Z', location: '北京', description: '派送中' },
      { status: 'delivered', at: '2026-11-24T04:00:00.000Z', description: 'delivered' },
    ]);
    const types = (await mallEvents(line.orderId)).map((e) => e.type);
    expect(types.filter((t) => t === 'line.shipped')).toHaveLength(1);
    expect(types.filter((t) => t === 'line.delivered')).toHaveLength(1);
    expect(types.at(-1)).not.toBe('line.tracking_updated');
    // Replaying every stored event changes nothing.
    await sql("update inbound_event set status = 'received' where event_id like 'SF-T1-%'");
    await processAll();
    expect((await mallEvents(line.orderId)).map((e) => e.type)).toEqual(types);
    expect(Number((await sql<{ n: string }[]>("select count(*) n from tracking_event e join shipment s on s.id = e.shipment_id where s.tracking_no = 'SF-T1'"))[0]?.n)).toBe(4);
  });

  it('tells the mall each step in order when callbacks arrive in order', async () => {
    const line = await seedPlacedLine(hub, mallId, { supplierId: 'brand-acme', supplierOrderId: 'BO-T2' });
    const trail = brandTrail('BO-T2', line.reference, 'SF-T2');
    for (const e of trail) {
      await sendBrand([e], {});
      await processAll();
    }
    const types = (await mallEvents(line.orderId)).map((e) => e.type);
    // The one-line order is completed by the delivery: its final event comes last.
    expect(types).toEqual(['line.shipped', 'line.tracking_updated', 'line.tracking_updated', 'line.delivered', 'order.completed']);
    const updates = (await mallEvents(line.orderId)).filter((e) => e.type === 'line.tracking_updated');
    expect(updates.map((u) => u.data.status)).toEqual(['in_transit', 'out_for_delivery']);
    expect(updates[0]?.data).toMatchObject({ lineId: '1', trackingNo: 'SF-T2', carrier: 'SF' });
  });

  it('never moves a delivered parcel back when a late in-transit step arrives', async () => {
    const line = await seedPlacedLine(hub, mallId, { supplierId: 'brand-acme', supplierOrderId: 'BO-T3' });
    const [shipped, , , delivered] = brandTrail('BO-T3', line.reference, 'SF-T3');
    await sendBrand([shipped as object, delivered as object], {});
    await processAll();
    expect((await view(line.orderId)).lines[0].status).toBe('delivered');
    const before = await mallEvents(line.orderId);
    // A late scan, stamped after the delivery (a carrier re-scan), then one from before it.
    const late = (id: string, at: string) => ({
      id, type: 'order.shipped', created: at,
      data: { orderId: 'BO-T3', clientReference: line.reference, shipment: { carrier: 'SF Express', trackingNumber: 'SF-T3', items: [], shippedAt: at, events: [step('in_transit', at, '运输中')] } },
    });
    await sendBrand([late('late-1', '2026-11-25T00:00:00Z'), late('late-2', '2026-11-23T12:00:00Z')], {});
    await processAll();
    const o = await view(line.orderId);
    expect(o.lines[0]).toMatchObject({ status: 'delivered', shipments: [{ status: 'delivered' }] });
    expect(o.status).toBe('completed');
    expect(o.lines[0].shipments[0].events.map((e: { at: string }) => e.at)).toEqual([...o.lines[0].shipments[0].events.map((e: { at: string }) => e.at)].sort());
    expect((await mallEvents(line.orderId)).map((e) => e.type)).toEqual(before.map((e) => e.type));
  });

  it('keeps two scans with one status at one instant in two places, and still drops a repeated one', async () => {
    const line = await seedPlacedLine(hub, mallId, { supplierId: 'brand-acme', supplierOrderId: 'BO-T4' });
    const at = '2026-11-23T10:00:00Z';
    const scans = [step('in_transit', at, '到达转运中心', '上海'), step('in_transit', at, '离开转运中心', '苏州')];
    const shipped = (id: string, events: object[]) => ({
      id, type: 'order.shipped', created: at,
      data: { orderId: 'BO-T4', clientReference: line.reference, shipment: { carrier: 'SF Express', trackingNumber: 'SF-T4', items: [], shippedAt: at, events } },
    });
    // The second callback repeats both scans under a new callback id: only the event ids differ.
    await sendBrand([shipped('t4-1', scans), shipped('t4-2', [...scans].reverse())], {});
    await processAll();
    const events = (await view(line.orderId)).lines[0].shipments[0].events as { location: string; description: string }[];
    expect(events.map((e) => `${e.location} ${e.description}`).sort()).toEqual(['上海 到达转运中心', '苏州 离开转运中心']);
  });
});
