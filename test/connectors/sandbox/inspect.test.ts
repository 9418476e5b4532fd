import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector, SupplierOrder } from '../../../connectors/connector.ts';
import type { CallbackRecord } from '../../../connectors/sandbox/common/callbacks.ts';
import { SandboxClock } from '../../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle, type Sandbox } from '../../../connectors/sandbox/common/context.ts';
import type { LedgerAfterSale } from '../../../connectors/sandbox/common/ledger.ts';
import { serveOnLoopback } from '../../../connectors/sandbox/common/serve.ts';
import { escapeHtml } from '../../../connectors/sandbox/common/ui.ts';
import { createSandboxHost } from '../../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../../connectors/sandbox/index.ts';
import { TOPICS } from '../../../connectors/taobao/inbound.ts';
import { loadConfig } from '../../../src/config.ts';
import { createConnectors } from '../../../src/suppliers.ts';

// What a mall developer sees of the simulated suppliers: per supplier its after-sales and the
// callbacks it sent (with the hub's answers), `GET /sandbox` over all of them, and `/sandbox/ui`.

const HOSTILE = '<img src=x onerror=alert(1)>';
const recipient = { name: '张三', phone: '13800138000', province: '北京', city: '北京市', district: '朝阳区', address: '建国路88号' };
const lifecycle = { ...defaultLifecycle, topupFailRate: 0 };

let clock: SandboxClock;
let sandboxes: Sandbox[];
let sandboxServer: { url: string; close: () => Promise<void> };
let receiver: { url: string; close: () => Promise<void> };
let connectors: Map<string, SupplierConnector>;
/** Deliveries to refuse with 503 before answering, per supplier path segment. */
const refuseFirst = new Map<string, number>();

beforeAll(async () => {
  // A stand-in hub: answers each supplier the way it expects, after the refusals asked for.
  const app = new Hono();
  const refused = (key: string) => {
    const left = refuseFirst.get(key) ?? 0;
    if (left > 0) refuseFirst.set(key, left - 1);
    return left > 0;
  };
  app.post('/webhooks/brand/:id', (c) => (refused(c.req.param('id')) ? c.text('busy', 503) : c.body(null, 204)));
  app.post('/webhooks/taobao', (c) => c.json({ success: true }));
  app.post('/webhooks/topup/:id', (c) => c.text('success'));
  receiver = await serveOnLoopback(app);
  clock = new SandboxClock();
  sandboxes = createSandboxes({ clock, seed: 17, skus: 200, hubUrl: receiver.url, lifecycle }, loadConfig({}).suppliers);
  sandboxServer = await serveOnLoopback(createSandboxHost(sandboxes, clock));
  connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: sandboxServer.url }).suppliers);
});
afterAll(async () => {
  await sandboxServer?.close();
  await receiver?.close();
});

const connector = (id: string) => connectors.get(id) as SupplierConnector;
const get = async <T = any>(path: string): Promise<T> => {
  const res = await fetch(`${sandboxServer.url}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A goods SKU of the supplier that is on shelf with stock for the test address. */
async function goodsSku(id: string): Promise<string> {
  const page = await connector(id).listCatalog({ cursor: null, limit: 100 });
  const candidates = page.items.filter((s) => s.kind === 'physical' && s.onShelf && (s.stock === null || s.stock > 20)).map((s) => s.supplierSkuId);
  const offers = await connector(id).getOffers(candidates.slice(0, 50), recipient);
  const ok = offers.find((o) => o.sellable && o.available && (o.stock === null || o.stock > 5));
  if (!ok) throw new Error(`no sellable goods SKU at ${id}`);
  return ok.supplierSkuId;
}

/** Callbacks a supplier reports over HTTP, waiting (brand webhooks go out in the background) until `done`. */
async function callbacksOf(id: string, done: (cbs: CallbackRecord[]) => boolean): Promise<CallbackRecord[]> {
  for (let i = 0; i < 50; i++) {
    const { callbacks } = await get<{ callbacks: CallbackRecord[] }>(`/${id}/sandbox/callbacks`);
    if (done(callbacks)) return callbacks;
    await sleep(50);
  }
  throw new Error(`${id}: callbacks did not arrive: ${JSON.stringify((await get(`/${id}/sandbox/callbacks`)).callbacks)}`);
}

let brandOrder: SupplierOrder;

describe('per supplier: after-sales and callbacks sent', () => {
  it('lists each brand webhook with its event, references, the hub’s last answer and the attempts it took', async () => {
    refuseFirst.set('brand-acme', 1);
    brandOrder = await connector('brand-acme').submitOrder({ reference: HOSTILE, lines: [{ supplierSkuId: await goodsSku('brand-acme'), quantity: 1 }], recipient });
    const accepted = await callbacksOf('brand-acme', (cbs) => cbs.some((c) => c.event === 'order.accepted' && c.outcome === 'accepted'));
    expect(accepted.find((c) => c.event === 'order.accepted')).toMatchObject({
      reference: HOSTILE,
      orderId: brandOrder.supplierOrderId,
      url: `${receiver.url}/webhooks/brand/brand-acme`,
      status: 204,
      attempts: 2,
      outcome: 'accepted',
      duplicate: false,
    });

    await clock.advance(lifecycle.shipAfterMs);
    const shipped = await callbacksOf('brand-acme', (cbs) => cbs.some((c) => c.event === 'order.shipped'));
    // Newest first; sandbox time is when the step went out on the sandbox clock.
    expect(shipped.map((c) => c.event)).toEqual(['order.shipped', 'order.accepted']);
    expect(shipped[0]).toMatchObject({ reference: HOSTILE, status: 204, attempts: 1, outcome: 'accepted' });
    expect(new Date(shipped[0]?.sandboxTime ?? 0).getTime()).toBeGreaterThan(new Date(shipped[1]?.sandboxTime ?? 0).getTime() + lifecycle.shipAfterMs - 1_000);
  });

  it('lists the after-sales each supplier holds: a brand return, a JD service order, a Taobao refund; none at a top-up provider', async () => {
    const line = brandOrder.lines[0];
    await connector('brand-acme').applyAfterSale({ supplierOrderId: brandOrder.supplierOrderId, supplierSkuId: line?.supplierSkuId ?? '', quantity: 1, type: 'return', reason: '不想要了', reference: 'RET-1' });
    const brand = await get<{ supplier: string; afterSales: LedgerAfterSale[] }>('/brand-acme/sandbox/after-sales');
    expect(brand).toMatchObject({ supplier: 'brand-acme', afterSales: [{ reference: 'RET-1', supplierOrderId: brandOrder.supplierOrderId, orderReference: HOSTILE, type: 'return', status: 'requested', open: true, lines: [{ units: 1 }] }] });

    const jdSku = await goodsSku('jd');
    const jd = await connector('jd').submitOrder({ reference: 'JD-INSPECT-1', lines: [{ supplierSkuId: jdSku, quantity: 1 }], recipient });
    await connector('jd').confirmOrder(jd.supplierOrderId);
    await connector('jd').applyAfterSale({ supplierOrderId: jd.supplierOrderId, supplierSkuId: jdSku, quantity: 1, type: 'exchange', reason: '尺码不对', reference: 'JD-AFS-1' });
    expect((await get('/jd/sandbox/after-sales')).afterSales).toEqual([
      expect.objectContaining({ reference: 'JD-AFS-1', supplierOrderId: jd.supplierOrderId, orderReference: 'JD-INSPECT-1', type: 'exchange', status: '10', open: true, lines: [{ sku: jdSku, units: 1 }] }),
    ]);

    const tb = await connector('taobao').submitOrder({ reference: 'TB-INSPECT-1', lines: [{ supplierSkuId: await goodsSku('taobao'), quantity: 1 }], recipient });
    await connector('taobao').applyAfterSale({ supplierOrderId: tb.supplierOrderId, supplierSkuId: tb.lines[0]?.supplierSkuId ?? '', quantity: 1, type: 'refund', reason: '不想要了', reference: 'TB-REF-1' });
    expect((await get('/taobao/sandbox/after-sales')).afterSales).toEqual([expect.objectContaining({ reference: 'TB-REF-1', supplierOrderId: tb.supplierOrderId, orderReference: 'TB-INSPECT-1', type: 'refund', open: true })]);
    // Taobao's pushes name the order they are about.
    const pushes = await callbacksOf('taobao', (cbs) => cbs.length > 0);
    expect(pushes[0]).toMatchObject({ event: TOPICS.refundChanged, reference: 'TB-REF-1', orderId: tb.supplierOrderId, status: 200, outcome: 'accepted' });

    // The steps move on with the clock, shown as the supplier's own status.
    await clock.advance(lifecycle.transitAfterMs);
    expect((await get('/brand-acme/sandbox/after-sales')).afterSales[0]).toMatchObject({ status: 'received', open: false });
    expect((await get('/jd/sandbox/after-sales')).afterSales[0].status).not.toBe('10');

    expect(await get('/topup-fulu/sandbox/after-sales')).toEqual({ supplier: 'topup-fulu', afterSales: [] });
    expect((await get('/jd/sandbox/callbacks')).callbacks).toEqual([]);
    // JD tells the hub through its message pool instead.
    expect((await get('/jd/sandbox/messages')).messages.length).toBeGreaterThan(0);
  });
});

describe('GET /sandbox and /sandbox/ui', () => {
  it('indexes every supplier with counts and links that answer', async () => {
    const index = await get('/sandbox');
    expect(index.ui).toBe('/sandbox/ui');
    expect(index.clock).toMatchObject({ aheadOfWallClockMs: lifecycle.shipAfterMs + lifecycle.transitAfterMs, advance: expect.stringContaining('/clock/advance') });
    expect(Math.abs(new Date(index.clock.now).getTime() - clock.now().getTime())).toBeLessThan(5_000);
    expect(index.suppliers.map((s: { id: string }) => s.id)).toEqual(sandboxes.map((s) => s.id));
    const acme = index.suppliers.find((s: { id: string }) => s.id === 'brand-acme');
    expect(acme).toMatchObject({ kind: 'brand', orders: { total: 1, live: 1, shipped: 1, cancelled: 0 }, afterSales: { total: 1, open: 0 } });
    expect(acme.callbacks.accepted).toBeGreaterThanOrEqual(3);
    expect(index.suppliers.find((s: { id: string }) => s.id === 'jd')).toMatchObject({ orders: { total: 1 }, afterSales: { total: 1 }, callbacks: { recorded: 0 } });
    for (const link of Object.values(acme.links as Record<string, string>)) {
      if (link === '/brand-acme') continue; // the supplier's own API has no root
      expect((await fetch(`${sandboxServer.url}${link}`)).status, link).toBe(200);
    }
    expect((await get('/')).inspect).toContain('/sandbox/ui');
  });

  it('renders one page of orders, after-sales, callbacks and the clock, with every supplier string escaped and no script', async () => {
    const res = await fetch(`${sandboxServer.url}/sandbox/ui`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    // The hostile reference (a brand order and its webhooks) is shown, as text.
    expect(page).not.toContain(HOSTILE);
    expect(page).not.toContain('<img');
    expect(page).toContain(escapeHtml(HOSTILE));
    expect(page).not.toMatch(/<script/i);
    for (const s of sandboxes) expect(page).toContain(`id="supplier-${s.id}"`);
    expect(page).toContain(brandOrder.supplierOrderId);
    expect(page).toContain('order.shipped');
    expect(page).toContain('JD-AFS-1');
    expect(page).toContain('TB-REF-1');
    // The clock: 2 h + 6 h ahead, and how to move it.
    expect(page).toContain('<td>8 h</td>');
    expect(page).toContain(`${sandboxServer.url}/clock/advance`);
    // The refresh option takes a number only.
    const refreshed = await (await fetch(`${sandboxServer.url}/sandbox/ui?refresh=${encodeURIComponent('5"><b>')}`)).text();
    expect(refreshed).not.toContain('http-equiv');
    expect(await (await fetch(`${sandboxServer.url}/sandbox/ui?refresh=5`)).text()).toContain('<meta http-equiv="refresh" content="5">');
  });

  it('refuses to move a supplier’s clock backwards', async () => {
    const res = await fetch(`${sandboxServer.url}/jd/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: -3600_000 }) });
    expect(res.status).toBe(400);
  });
});
