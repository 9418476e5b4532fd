/**
 * A mall backend's first order, through the typed client (run it with Node 24, which runs
 * TypeScript: `node clients/typescript/example.ts`):
 *
 *   1. reads the catalog and asks which goods can go to the member's address now;
 *   2. starts a small webhook receiver and points the mall's webhook URL at it (an admin call:
 *      the mall API cannot change its own webhook URL);
 *   3. places an order with an Idempotency-Key, sends it again (same order back), reads it back;
 *   4. waits for the order's `order.accepted` webhook, verifies its Standard Webhooks signature
 *      with the `standardwebhooks` package, and prints it;
 *   5. puts the mall's webhook URL back as it was.
 *
 * Settings, from the environment, else from the `.hub-local.json` that `npm start` writes:
 *   HUB_URL             the hub (default http://127.0.0.1:3000)
 *   HUB_API_KEY         the mall's API key (rh_live_…)
 *   HUB_WEBHOOK_SECRET  the mall's webhook secret (whsec_…)
 *   HUB_ADMIN_TOKEN     an admin token (rh_staff_…), to change the mall's webhook URL
 * The receiver listens on 127.0.0.1, which the hub accepts as a webhook URL in sandbox mode only.
 *
 * Every type below comes from schema.d.ts (generated from /openapi.json): when the document changes
 * in a way this program does not expect, `npm run client:check` fails to type-check it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createHubClient } from './index.ts';
import type { components, webhooks } from './schema.d.ts';

type Schemas = components['schemas'];
/** What this program sends: checked against the document's request schemas. */
type OrderRequest = Schemas['CreateOrderRequest'];
type Region = Schemas['AvailabilityRequest']['region'];
/** Any webhook body (the same JSON GET /v1/events lists), and the one this program waits for. */
type MallEvent = Schemas['MallEvent'];
type OrderAccepted = webhooks['order.accepted']['post']['requestBody']['content']['application/json'];
/** The signature headers of a webhook request, as the document names them. */
type WebhookHeaders = webhooks['order.accepted']['post']['parameters']['header'];

const local = readLocal(process.env.HUB_LOCAL_FILE ?? '.hub-local.json');
const hubUrl = process.env.HUB_URL ?? 'http://127.0.0.1:3000';
const apiKey = setting('HUB_API_KEY', local?.demoMall?.apiKey);
const webhookSecret = setting('HUB_WEBHOOK_SECRET', local?.demoMall?.webhookSecret);
const adminToken = setting('HUB_ADMIN_TOKEN', local?.adminToken);

const hub = createHubClient(hubUrl, apiKey);
const admin = createHubClient(hubUrl, adminToken);

// 1. The catalog: physical goods in stock, cheapest first, and which of them can go to the address.
const recipient = { name: '王芳', phone: '13800138000', province: '广东省', city: '深圳市', district: '南山区', address: '深南大道9988号 科技园3栋1201室' } satisfies OrderRequest['recipient'];
const region: Region = { province: recipient.province, city: recipient.city, district: recipient.district };

const mall = ok('GET /v1/mall', await hub.GET('/v1/mall'));
console.log(`mall ${mall.mallId} (${mall.name}): ${mall.pointsPerYuan} points per yuan, pricing ${mall.pricingStatus.state}`);
const page = ok('GET /v1/catalog/items', await hub.GET('/v1/catalog/items', { params: { query: { kind: 'physical', inStock: 'true', limit: 10 } } }));
if (page.items.length === 0) throw new Error('the catalog has no physical item in stock (is the catalog synced?)');
const availability = ok('POST /v1/catalog/availability', await hub.POST('/v1/catalog/availability', {
  body: { items: page.items.map((i) => ({ skuId: i.skuId, quantity: 1 })), region },
}));
const live = availability.items.find((a) => a.available);
const item = page.items.find((i) => i.skuId === live?.skuId);
if (!item || !live) throw new Error(`none of ${page.items.length} items can be sent to ${region.province}${region.city} now`);
const detail = ok('GET /v1/catalog/items/{skuId}', await hub.GET('/v1/catalog/items/{skuId}', { params: { path: { skuId: item.skuId } } }));
console.log(`item ${item.skuId} ${item.title}: ${item.points} points + ${item.cashFen} fen (live from ${live.source ?? '?'}: ${live.points} points), sources ${detail.sources.join(', ')}`);

// 2. A webhook receiver on loopback, and the mall's webhook URL pointed at it.
const wh = new Webhook(webhookSecret);
const verified: MallEvent[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8'); // verify the bytes as received, then parse
    const headers: WebhookHeaders = {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    };
    try {
      verified.push(wh.verify(body, headers) as MallEvent);
      res.writeHead(204).end();
    } catch (err) {
      console.error(`refused a webhook: ${err instanceof Error ? err.message : String(err)}`);
      res.writeHead(401).end();
    }
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hub-events`;
const previousUrl = mall.webhookUrl;
ok('PATCH /admin/malls/{mallId}', await admin.PATCH('/admin/malls/{mallId}', { params: { path: { mallId: mall.mallId } }, body: { webhookUrl: receiverUrl } }));
console.log(`webhooks of ${mall.mallId} now go to ${receiverUrl}`);

try {
  // 3. The order, with an Idempotency-Key derived from the mall's own order id.
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  const mallOrderId = `M-${day}-${randomBytes(3).toString('hex')}`;
  const order: OrderRequest = {
    mallOrderId,
    member: { id: 'member-8812', tier: 'gold' },
    recipient,
    lines: [{ lineId: '1', skuId: item.skuId, quantity: 1, pointsPaid: item.points, cashPaidFen: item.cashFen }],
  };
  const idempotencyKey = `order-${mallOrderId}`;
  const placed = await hub.POST('/v1/orders', { params: { header: { 'idempotency-key': idempotencyKey } }, body: order });
  const created = ok('POST /v1/orders', placed);
  console.log(`order ${created.orderId} (${mallOrderId}) ${placed.response.status} ${created.status}: ${created.lines.map((l) => `line ${l.lineId} ${l.status}`).join(', ')}`);
  const again = await hub.POST('/v1/orders', { params: { header: { 'idempotency-key': idempotencyKey } }, body: order });
  if (ok('POST /v1/orders (repeat)', again).orderId !== created.orderId) throw new Error('the repeated request answered another order');
  console.log(`same key again: ${again.response.status}, the same order`);
  const read = ok('GET /v1/orders/{orderId}', await hub.GET('/v1/orders/{orderId}', { params: { path: { orderId: created.orderId } } }));
  console.log(`read back: ${read.status}, member ${read.member.id}, ${read.lines.length} line(s), ${read.lines[0]?.pointsPaid} points paid`);

  // 4. Its order.accepted webhook, signature verified by the receiver.
  const deadline = Date.now() + 30_000;
  let accepted: OrderAccepted | undefined;
  while (!accepted) {
    accepted = verified.find((e): e is OrderAccepted => e.type === 'order.accepted' && e.data.orderId === created.orderId);
    if (!accepted && Date.now() > deadline) throw new Error(`no verified order.accepted webhook for ${created.orderId} within 30 s`);
    if (!accepted) await new Promise((r) => setTimeout(r, 100));
  }
  const { seq, mallOrderId: echoed, lines } = accepted.data;
  console.log(`webhook ${accepted.type} ${accepted.id} verified (Standard Webhooks signature): seq ${seq}, ${echoed}, lines ${lines.map((l) => `${l.lineId}×${l.quantity} ${l.skuId}`).join(', ')}`);
} finally {
  // 5. The mall's webhook URL as it was.
  ok('PATCH /admin/malls/{mallId}', await admin.PATCH('/admin/malls/{mallId}', { params: { path: { mallId: mall.mallId } }, body: { webhookUrl: previousUrl } }));
  receiver.closeAllConnections();
  receiver.close();
}
console.log('done');

/** The body of a successful answer, or an error naming the hub's error code and request id. */
function ok<T>(what: string, r: { data?: T; error?: unknown; response: Response }): T {
  if (r.data !== undefined) return r.data;
  throw new Error(`${what} answered ${r.response.status} (X-Request-Id ${r.response.headers.get('x-request-id')}): ${JSON.stringify(r.error)}`);
}

function setting(name: string, fallback: string | undefined): string {
  const v = process.env[name] ?? fallback;
  if (!v) throw new Error(`set ${name} (or run \`npm start\`, which writes .hub-local.json)`);
  return v;
}

function readLocal(path: string): { adminToken?: string; demoMall?: { apiKey?: string; webhookSecret?: string } } | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { adminToken?: string; demoMall?: { apiKey?: string; webhookSecret?: string } };
  } catch {
    return null;
  }
}
