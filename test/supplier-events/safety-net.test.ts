import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHub, startSandboxHub } from '../support/sandbox-hub.ts';
import { settleOrder } from '../support/settle.ts';

/**
 * What the hub does when supplier callbacks are lost: top-ups and parcels settle by polling, and a
 * callback that does arrive settles a line once, against the sandboxes over loopback.
 */

let rig: SandboxHub;

beforeAll(async () => {
  rig = await startSandboxHub({
    suppliers: ['topup-fulu', 'topup-yike', 'brand-acme', 'jd'],
    // Issuance is polled rarely: only a callback (or a lot of time) issues a top-up quickly.
    env: { HUB_ISSUANCE_POLL_MS: '600000', HUB_SHIPMENT_POLL_MS: '1000', HUB_TRACKING_STALE_MS: '4000', HUB_WORKFLOW_BACKOFF_MS: '100', HUB_SUPPLIER_TIMEOUT_MS: '1500' },
  });
}, 60_000);
afterAll(() => rig?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const events = (orderId: string) => rig.sql<{ type: string; data: Record<string, any> }[]>('select type, data from mall_event where order_id = ? order by seq', [orderId]);
const settle = (orderId: string, done: (o: Record<string, any>) => boolean, step: { hubMs: number; supplierMs: number }) =>
  settleOrder({ hub: rig.hub, sandboxClock: rig.sandboxClock, apiKey: rig.mall.apiKey }, orderId, done, { ...step, rounds: 80 });

describe('top-up outcomes: callback and polling, one path', () => {
  it('issues a top-up when its result callback arrives, once, by waking the line’s run', async () => {
    const orderId = await rig.order(await rig.virtualItem(), { virtual: true });
    const done = await settle(orderId, (o) => ['issued', 'failed'].includes(o.lines[0].status), { hubMs: 1_000, supplierMs: 60_000 });
    const source = done.lines[0].source as string;
    // 80 s of hub time at most: the 10-minute poll never came; the callback did it.
    const stored = await rig.sql<{ status: string }[]>("select status from inbound_event where supplier = ? and event_type like 'order.%'", [source]);
    expect(stored.map((s) => s.status)).toContain('processed');
    await sleep(500);
    const types = (await events(orderId)).map((e) => e.type);
    expect(types.filter((t) => t === 'line.issued' || t === 'line.failed').length).toBeLessThanOrEqual(1);
    if (done.lines[0].status === 'issued') expect(types.filter((t) => t === 'line.issued')).toHaveLength(1);
  });

  it('recovers a top-up whose callback is lost by polling the provider', async () => {
    for (const id of ['topup-fulu', 'topup-yike']) rig.sandbox(id).faults.set({ callbacks: { dropRate: 1 } });
    try {
      const before = Number((await rig.sql<{ n: string }[]>("select count(*) n from inbound_event where supplier like 'topup-%'"))[0]?.n);
      const orderId = await rig.order(await rig.virtualItem(), { virtual: true });
      const done = await settle(orderId, (o) => ['issued', 'failed'].includes(o.lines[0].status), { hubMs: 120_000, supplierMs: 60_000 });
      expect(['issued', 'failed']).toContain(done.lines[0].status);
      // Nothing came back from the provider: polling alone settled it.
      expect(Number((await rig.sql<{ n: string }[]>("select count(*) n from inbound_event where supplier like 'topup-%'"))[0]?.n)).toBe(before);
      const types = (await events(orderId)).map((e) => e.type);
      if (done.lines[0].status === 'issued') expect(types.filter((t) => t === 'line.issued')).toHaveLength(1);
    } finally {
      for (const id of ['topup-fulu', 'topup-yike']) rig.sandbox(id).faults.reset();
    }
  });
});

describe('drop-ship safety net', () => {
  it('builds the timeline by polling when every supplier callback is lost', async () => {
    rig.sandbox('brand-acme').faults.set({ callbacks: { dropRate: 1 } });
    try {
      const orderId = await rig.order(await rig.physicalItemFrom('brand-acme'));
      const done = await settle(orderId, (o) => ['delivered', 'failed'].includes(o.lines[0].status), { hubMs: 5_000, supplierMs: 3 * 3600_000 });
      expect(done.lines[0].status).toBe('delivered');
      expect(done.lines[0].shipments.length).toBeGreaterThan(0);
      expect(done.lines[0].shipments[0].status).toBe('delivered');
      const stamps = done.lines[0].shipments[0].events.map((e: { at: string }) => e.at);
      expect(stamps).toEqual([...stamps].sort());
      expect(await rig.sql("select 1 from inbound_event where supplier = 'brand-acme'")).toHaveLength(0);
      const types = (await events(orderId)).map((e) => e.type);
      expect(types.filter((t) => t === 'line.shipped')).toHaveLength(1);
      expect(types.filter((t) => t === 'line.delivered')).toHaveLength(1);
    } finally {
      rig.sandbox('brand-acme').faults.reset();
    }
  });

  it('splits a JD line into one shipment per child order, read by polling', async () => {
    // JD's sandbox splits two units of an even SKU id into two child orders, each with its own waybill.
    const orderId = await rig.order(await rig.physicalItemFrom('jd', { evenSku: true }), { quantity: 2 });
    const done = await settle(orderId, (o) => ['delivered', 'failed'].includes(o.lines[0].status), { hubMs: 5_000, supplierMs: 3 * 3600_000 });
    expect(done.lines[0].status).toBe('delivered');
    const [attempt] = await rig.sql<{ supplier_order_id: string }[]>('select a.supplier_order_id from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? order by a.seq desc limit 1', [orderId]);
    const split = await rig.sql<{ child_order_ids: string[] }[]>("select child_order_ids from order_split where supplier_id = 'jd' and supplier_order_id = ?", [attempt?.supplier_order_id]);
    expect(split[0]?.child_order_ids).toHaveLength(2);
    expect(done.lines[0].shipments).toHaveLength(2);
    expect(new Set(done.lines[0].shipments.map((s: { trackingNo: string }) => s.trackingNo)).size).toBe(2);
    expect(done.lines[0].quantityFulfilled).toBe(2);
    for (const s of done.lines[0].shipments) expect(s).toMatchObject({ carrier: 'JD', status: 'delivered' });
  });
});
