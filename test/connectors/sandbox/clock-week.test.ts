import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../../connectors/connector.ts';
import { SandboxClock } from '../../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle, type Sandbox } from '../../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../../connectors/sandbox/index.ts';
import type { TaobaoSandbox } from '../../../connectors/sandbox/taobao/index.ts';
import { runFullSync, type SyncOutcome } from '../../../src/catalog/full-sync.ts';
import { repriceMall } from '../../../src/catalog/mall-pricing.ts';
import { loadConfig } from '../../../src/config.ts';
import { itemFrom } from '../../support/catalog-items.ts';
import { startLineWorkers } from '../../support/line-workers.ts';
import { json, startTestHub, type TestHub } from '../../support/hub.ts';
import { settleOrder } from '../../support/settle.ts';

// A mall developer moves the sandbox clock a week (and a day more, in steps) ahead, as the README
// shows. Sandbox time is the suppliers' business time only: the hub, signing and checking on the
// wall clock as in production, must go on syncing catalogs, placing orders and taking callbacks.

const WEEK_MS = 7 * 86_400_000;
const recipient = { name: '赵六', phone: '13700137002', province: '北京', city: '北京市', district: '朝阳区', address: '望京街 3 号' };

let hub: TestHub;
let hubServer: { url: string; close: () => Promise<void> };
let sandboxServer: { url: string; close: () => Promise<void> };
let sandboxes: Sandbox[];
let sandboxClock: SandboxClock;
let workers: { close: () => Promise<void> } | undefined;
let mall: { mallId: string; apiKey: string };
const syncs = new Map<string, SyncOutcome | Error>();

beforeAll(async () => {
  // The sandboxes call back to the hub: serve a stand-in first, and point it at the hub once it exists.
  let target: ((req: Request) => Response | Promise<Response>) | null = null;
  hubServer = await serveOnLoopback(new Hono().all('*', (c) => (target ? target(c.req.raw) : c.text('not yet', 503))));
  sandboxClock = new SandboxClock();
  sandboxes = createSandboxes({ clock: sandboxClock, seed: 91, skus: 200, hubUrl: hubServer.url, lifecycle: { ...defaultLifecycle, topupFailRate: 0 } }, loadConfig({}).suppliers);
  sandboxServer = await serveOnLoopback(createSandboxHost(sandboxes, sandboxClock));
  hub = await startTestHub({
    // The hub's own test clock is pinned: supplier signatures are made and checked on the wall clock, as in production.
    supplierNow: () => new Date(),
    // Issuance is polled rarely: only the provider's callback issues a top-up quickly.
    env: { HUB_SANDBOX_URL: sandboxServer.url, HUB_ISSUANCE_POLL_MS: '600000', HUB_SHIPMENT_POLL_MS: '1000', HUB_TRACKING_STALE_MS: '4000', HUB_WORKFLOW_BACKOFF_MS: '100', HUB_SUPPLIER_TIMEOUT_MS: '1500' },
  });
  target = (req) => hub.app.fetch(req);

  // A week ahead, then a day more in four steps, before the hub talks to any supplier.
  await sandboxClock.advance(WEEK_MS);
  for (let i = 0; i < 4; i++) await sandboxClock.advance(6 * 3600_000);

  for (const id of ['jd', 'taobao', 'topup-fulu', 'topup-yike']) {
    const connector = hub.deps.connectors.get(id) as SupplierConnector;
    syncs.set(id, await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, connector, { pageSize: 100 }).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
  }
  mall = await hub.createMall('Clock-week mall');
  await repriceMall(hub.deps.orm.em.fork(), mall.mallId);
  workers = startLineWorkers(hub);
}, 120_000);
afterAll(async () => {
  await workers?.close();
  await sandboxServer?.close();
  await hubServer?.close();
  await hub?.close();
});

const sandbox = <T extends Sandbox = Sandbox>(id: string) => sandboxes.find((s) => s.id === id) as T;
const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);

let n = 0;
async function order(item: { skuId: string; points: number; cashFen: number }, virtual: boolean) {
  const res = await hub.call('POST', '/v1/orders', {
    token: mall.apiKey,
    headers: { 'idempotency-key': `cw-${++n}` },
    body: {
      mallOrderId: `CW-${n}`,
      member: { id: 'm-1' },
      ...(virtual ? {} : { recipient }),
      lines: [{ lineId: '1', skuId: item.skuId, quantity: 1, pointsPaid: item.points, cashPaidFen: item.cashFen, ...(virtual ? { rechargeAccount: '13600136002' } : {}) }],
    },
  });
  expect(res.status).toBe(201);
  return (await json(res)).orderId as string;
}

/** The supplier and reference the line's current attempt was placed under. */
async function attemptOf(orderId: string) {
  const [a] = await sql<{ supplier_id: string; reference: string }[]>('select a.supplier_id, a.reference from line_attempt a join order_line l on l.id = a.line_id where l.order_id = ? order by a.seq desc limit 1', [orderId]);
  if (!a) throw new Error(`order ${orderId} has no attempt`);
  return a;
}

describe('the sandbox clock a week ahead', () => {
  it('is a week and a day ahead of the wall clock, and the hub still syncs JD and Taobao in full', async () => {
    expect(sandboxClock.now().getTime() - Date.now()).toBeGreaterThanOrEqual(WEEK_MS + 86_400_000 - 60_000);
    for (const id of ['jd', 'taobao']) {
      const outcome = syncs.get(id);
      // Before the fix JD answered 1009 "timestamp out of range" and TOP "invalid-timestamp" here.
      expect(outcome).not.toBeInstanceOf(Error);
      expect(outcome).toMatchObject({ status: 'succeeded', mode: 'full' });
      expect((outcome as SyncOutcome).seen).toBeGreaterThan(0);
    }
    const runs = await sql<{ supplier_id: string; status: string }[]>("select supplier_id, status from catalog_sync_run where supplier_id in ('jd', 'taobao') order by id");
    expect(runs.map((r) => `${r.supplier_id}:${r.status}`)).toEqual(['jd:succeeded', 'taobao:succeeded']);
    const offers = await sql<{ supplier_id: string; n: string }[]>("select supplier_id, count(*) n from catalog_offer where supplier_id in ('jd', 'taobao') and removed_at is null group by supplier_id order by supplier_id");
    expect(offers.map((o) => o.supplier_id)).toEqual(['jd', 'taobao']);
  });

  it('ships and delivers a JD order as the sandbox clock moves on, stamped in sandbox time', async () => {
    const orderId = await order(await itemFrom(hub, mall.mallId, 'physical', ['jd'], recipient), false);
    const done = await settleOrder({ hub, sandboxClock, apiKey: mall.apiKey }, orderId, (o) => ['delivered', 'failed'].includes(o.lines[0].status), { hubMs: 5_000, supplierMs: 3 * 3600_000, rounds: 40 });
    expect(done.lines[0]).toMatchObject({ status: 'delivered', source: 'jd' });
    const { reference } = await attemptOf(orderId);
    const held = sandbox('jd').orderLedger().find((o) => o.reference === reference);
    expect(held).toMatchObject({ status: 'confirmed', live: true, shipped: true, delivered: true });
    // Business time is the sandbox's: the order was taken more than a week after the wall clock's now.
    expect(new Date(held?.createdAt ?? 0).getTime()).toBeGreaterThan(Date.now() + WEEK_MS);
  });

  it('issues a top-up on the provider’s callback: signed on the wall clock, accepted and stored by the hub', async () => {
    const [row] = await sql<{ sku_id: string; points: number; cash_fen: number }[]>(
      "select ci.sku_id, mi.points, mi.cash_fen from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ? where ci.kind = 'virtual' and mi.sellable and ci.match_key like 'v:phone_topup|%' order by ci.id limit 1",
      [mall.mallId],
    );
    if (!row) throw new Error('no phone top-up item');
    const item = { skuId: row.sku_id, points: row.points, cashFen: row.cash_fen };
    const orderId = await order(item, true);
    // 40 rounds of 1 s of hub time: far from the 10-minute issuance poll, so the callback issues it.
    const done = await settleOrder({ hub, sandboxClock, apiKey: mall.apiKey }, orderId, (o) => ['issued', 'failed'].includes(o.lines[0].status), { hubMs: 1_000, supplierMs: 60_000, rounds: 40 });
    expect(done.lines[0].status).toBe('issued');
    const { supplier_id: provider, reference } = await attemptOf(orderId);
    expect(sandbox(provider).orderLedger().find((o) => o.reference === reference)).toMatchObject({ status: 'success', issued: true });

    // What the provider sent and what the hub answered: accepted at once, never 401.
    const sent = sandbox(provider).callbacks.records().filter((c) => c.reference === reference);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.map((c) => [c.event, c.status, c.outcome])).toContainEqual(['recharge.success', 200, 'accepted']);
    expect(sandbox(provider).callbacks.attempts.some((a) => a.status === 401)).toBe(false);
    const stored = await sql<{ status: string; body: string }[]>('select status, body from inbound_event where supplier = ?', [provider]);
    const mine = stored.filter((s) => s.body.includes(reference));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.map((s) => s.status)).toContain('processed');
  });

  it('has Taobao’s pushes accepted by the hub after the week (pub_time is wall time)', async () => {
    const taobao = sandbox<TaobaoSandbox>('taobao');
    const before = taobao.callbacks.records().length;
    await taobao.reviseCatalog();
    const pushed = taobao.callbacks.records().slice(0, taobao.callbacks.records().length - before);
    expect(pushed.length).toBeGreaterThan(0);
    // The hub verified each (a stale pub_time is answered 401 and retried until the sender gives up).
    for (const p of pushed) expect(p).toMatchObject({ status: 200, attempts: 1, outcome: 'accepted' });
    const stored = await sql<{ n: string }[]>("select count(*) n from inbound_event where supplier = 'taobao'");
    expect(Number(stored[0]?.n)).toBeGreaterThanOrEqual(pushed.length);
  });
});
