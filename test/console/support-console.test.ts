import type { Hono } from 'hono';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { refreshBoard } from '../../src/board/board-refresh.ts';
import { dispatchWebhooks, processWebhookDelivery, webhookDeliverDeps } from '../../src/queues/processors/webhook-delivery.processor.ts';
import { WorkerHost } from '../../src/queues/worker-host.ts';
import { createRedis } from '../../src/redis/connection.ts';
import { startReceiver, until } from '../mall-webhooks/receiver.ts';
import { ADMIN_TOKEN, json } from '../support/hub.ts';
import { type Item, RECIPIENT, type SandboxHub, startSandboxHub } from '../support/sandbox-hub.ts';
import { act, launchBrowser, openTab, screenshot, signIn, type Tab } from './browser.ts';

/**
 * The support console's acceptance scenario (issue 20), in Debian's chromium against a hub with
 * the supplier sandboxes and workers: the suppliers refuse damaged-goods claims, so three tickets
 * wait for an agent. The agent signs in, filters the queue, opens one ticket and reships, opens another and
 * refunds two units (the order page then shows the refund, and the mall's webhook endpoint gets
 * `refund.required`), and asks a refund above the agent's limit on the third (held: an admin must
 * approve), which an admin approves; the agent's refund over the limit from the order page is
 * refused (403) and the page says why. The admin's board page charts the API's numbers. A product
 * title and a member's reason made of markup show as text, and no script runs. Signing out ends
 * the session; the old cookie is refused.
 */

const HUB_STEP = { hubMs: 5_000, supplierMs: 3 * 3600_000 };
const LIMIT_POINTS = 100_000;
const XSS = '<img src=x onerror=alert(1)>';
const SUPPLIERS = ['jd', 'brand-acme'];

let rig: SandboxHub;
let server: { url: string; close: () => Promise<void> };
let browser: Browser;
let rx: Awaited<ReturnType<typeof startReceiver>>;
let webhookWorker: { close: () => Promise<void> };
let agentToken: string;
let adminToken: string;
let agent: Tab;
let admin: Tab;
const orders: Record<'reship' | 'refund' | 'approval', { orderId: string; ticketId: string; item: Item }> = {} as never;

/** A physical item JD sells, in stock there for the test address, whose price satisfies `fits`. */
async function goodsItem(fits: (points: number) => boolean): Promise<Item> {
  const rows = await rig.sql<{ sku_id: string; points: number; cash_fen: number; supplier_sku_id: string }[]>(
    `select ci.sku_id, mi.points, mi.cash_fen, min(o.supplier_sku_id) supplier_sku_id from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ? join catalog_offer o on o.item_id = ci.id
     where ci.kind = 'physical' and mi.sellable and o.on_shelf and o.removed_at is null and coalesce(o.stock, 100) > 20
     group by ci.id, mi.points, mi.cash_fen having 'jd' = any(array_agg(o.supplier_id)) order by ci.id`,
    [rig.mall.mallId],
  );
  for (const r of rows.filter((x) => fits(x.points) && x.cash_fen === 0)) {
    const [live] = await (rig.hub.deps.connectors.get('jd') as SupplierConnector).getOffers([r.supplier_sku_id], RECIPIENT);
    if (live?.sellable && live.available && (live.stock === null || live.stock > 5)) return { skuId: r.sku_id, points: r.points, cashFen: r.cash_fen };
  }
  throw new Error('no JD item at that price');
}

let keys = 0;
async function openTicket(orderId: string, quantity: number, reason: string): Promise<string> {
  const r = await rig.hub.call('POST', `/v1/orders/${orderId}/after-sales`, {
    token: rig.mall.apiKey,
    headers: { 'idempotency-key': `console-${++keys}` },
    body: { lineId: '1', type: 'damaged', reason, quantity, photos: ['https://img.example-mall.cn/as/1.jpg', 'https://img.example-mall.cn/as/2.jpg'] },
  });
  expect(r.status, await r.clone().text()).toBe(201);
  return (await json(r)).ticketId as string;
}

// Read as an agent: an admin's read of a ticket shows the recipient in full, and is audited each time.
const staffTicket = async (ticketId: string) => json(await rig.hub.call('GET', `/admin/tickets/${ticketId}`, { token: agentToken }));

beforeAll(async () => {
  rig = await startSandboxHub({ env: { HUB_AGENT_REFUND_LIMIT_POINTS: String(LIMIT_POINTS), HUB_AFTERSALE_POLL_MS: '2000' } });
  server = await serveOnLoopback(rig.hub.app as unknown as Hono);
  // The mall's webhooks go to a receiver that checks their signatures, with a webhook-delivery worker.
  rx = await startReceiver();
  expect((await rig.hub.call('PATCH', `/admin/malls/${rig.mall.mallId}`, { token: ADMIN_TOKEN, body: { webhookUrl: rx.url } })).status).toBe(200);
  rx.state.secrets = [(await json(await rig.hub.call('POST', `/admin/malls/${rig.mall.mallId}/webhook-secret/rotate`, { token: ADMIN_TOKEN }))).webhookSecret];
  const connection = createRedis(rig.hub.config.redisUrl);
  const host = new WorkerHost({ connection, prefix: rig.hub.config.redisPrefix, logger: rig.hub.deps.logger, metrics: rig.hub.deps.metrics, concurrency: 2 });
  host.register('webhookDelivery', (p) => processWebhookDelivery(p, webhookDeliverDeps(rig.hub.deps)));
  webhookWorker = { close: async () => { await host.close(); connection.disconnect(); } };

  agentToken = (await json(await rig.hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: '客服：王芳' } }))).token;
  adminToken = (await json(await rig.hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'admin', name: '运营：李强' } }))).token;

  // Three delivered JD orders: one unit to reship, two cheap units to refund (within the agent's
  // limit), one unit above the limit.
  const cheap = await goodsItem((p) => p * 2 <= LIMIT_POINTS && p >= 1000);
  const dear = await goodsItem((p) => p > LIMIT_POINTS);
  const placed = { reship: { item: cheap, qty: 1 }, refund: { item: cheap, qty: 2 }, approval: { item: dear, qty: 1 } };
  const ids = Object.fromEntries(await Promise.all(Object.entries(placed).map(async ([k, v]) => [k, await rig.order(v.item, { quantity: v.qty })] as const))) as Record<keyof typeof placed, string>;
  await rig.until(() => Promise.all(Object.values(ids).map((id) => rig.orderView(id))), (vs) => vs.every((v) => ['delivered', 'failed'].includes(v.lines[0].status)), HUB_STEP);
  for (const id of Object.values(ids)) expect((await rig.orderView(id)).lines[0].status).toBe('delivered');

  // The suppliers refuse the claims: each ticket goes to an agent.
  for (const id of SUPPLIERS) rig.sandbox(id).faults.set({ afterSaleRefusal: true });
  for (const [k, v] of Object.entries(placed) as [keyof typeof placed, (typeof placed)['reship']][]) {
    const reason = k === 'approval' ? `外箱压坏 ${XSS}` : '外包装破损，商品有裂痕';
    orders[k] = { orderId: ids[k], ticketId: await openTicket(ids[k], v.qty, reason), item: v.item };
  }
  await rig.until(() => Promise.all(Object.values(orders).map((o) => staffTicket(o.ticketId))), (ts) => ts.every((t) => t.waitingOn === 'agent'), HUB_STEP);
  for (const id of SUPPLIERS) rig.sandbox(id).faults.reset();
  // A supplier's title made of markup.
  await rig.sql("update catalog_item set title = ? where sku_id = ?", [XSS, cheap.skuId]);

  browser = await launchBrowser();
  agent = await openTab(browser, server.url);
  admin = await openTab(browser, server.url);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await webhookWorker?.close();
  await rx?.close();
  await server?.close();
  await rig?.close();
});

describe('an agent at the console', () => {
  it('signs in and filters the queue: the three damaged-goods tickets waiting on an agent, with SLA badges', async () => {
    await signIn(agent, agentToken);
    const { page } = agent;
    await page.locator('select[name="type"]').selectOption('damaged');
    await page.locator('select[name="status"]').selectOption('in_progress');
    await Promise.all([page.waitForURL(/type=damaged/), page.getByRole('button', { name: '筛选' }).click()]);
    await page.locator(`a[data-ticket="${orders.reship.ticketId}"]`).waitFor();
    const shown = await page.locator('#ticket-queue a[data-ticket]').evaluateAll((as) => as.map((a) => a.getAttribute('data-ticket')));
    expect(shown.sort()).toEqual(Object.values(orders).map((o) => o.ticketId).sort());
    expect(await page.locator('#ticket-queue [data-sla]').count()).toBe(3);
    expect(await page.locator('#ticket-queue [data-sla]').first().textContent()).toMatch(/剩余|已超时/);
    await screenshot(page, 'queue');
    // Nothing assigned to me yet.
    await page.getByLabel('只看分配给我的').check();
    await Promise.all([page.waitForURL(/mine=1/), page.getByRole('button', { name: '筛选' }).click()]);
    await page.locator('#ticket-queue td.empty').waitFor();
    expect(agent.problems).toEqual([]);
  });

  it('opens a damaged-goods ticket (photos as links, never images), assigns it to themself and reships', async () => {
    const { page } = agent;
    const t = orders.reship;
    await page.goto('/console/tickets?type=damaged');
    await Promise.all([page.waitForURL(new RegExp(t.ticketId)), page.locator(`a[data-ticket="${t.ticketId}"]`).click()]);
    await page.locator('#resolve-form').waitFor();
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('ul.photos a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['https://img.example-mall.cn/as/1.jpg', 'https://img.example-mall.cn/as/2.jpg']);
    expect(await page.locator('ul.photos a').first().getAttribute('rel')).toBe('noopener noreferrer nofollow');
    expect(await page.locator('#order-timeline').textContent()).toContain('line.delivered');
    await screenshot(page, 'ticket', { screen: true });
    const assigned = await act(page, () => page.getByRole('button', { name: '分配给我' }).click());
    expect(assigned).toEqual({ kind: 'ok', text: '已分配给 客服：王芳。' });
    await page.locator('select[name="action"]').selectOption('reship');
    await page.locator('input[name="note"]').fill('破损属实，为会员补发');
    const done = await act(page, () => page.getByRole('button', { name: '提交处理' }).click());
    expect(done).toEqual({ kind: 'ok', text: '已安排补发：中台正在重新发出，发出后工单自动解决。' });
    const ticket = await staffTicket(t.ticketId);
    expect(ticket.assignee).toBe('客服：王芳');
    expect(ticket.history.some((h: any) => h.kind === 'decided' && h.data.decision?.action === 'reship')).toBe(true);
    // "Assigned to me" now finds it.
    await page.goto('/console/tickets?mine=1');
    await page.locator(`a[data-ticket="${t.ticketId}"]`).waitFor();
    expect(agent.problems).toEqual([]);
  });

  it('refunds two units of another: the order page shows the refund and the mall gets refund.required', async () => {
    const { page } = agent;
    const t = orders.refund;
    await page.goto(`/console/tickets/${t.ticketId}`);
    await page.locator('select[name="action"]').selectOption('refund');
    await page.locator('input[name="units"]').fill('2');
    await page.locator('input[name="note"]').fill('两件均破损，退还积分');
    const done = await act(page, () => page.getByRole('button', { name: '提交处理' }).click());
    expect(done).toEqual({ kind: 'ok', text: '已提交：退款。' });
    expect(await page.locator('[data-resolution="refund"]').textContent()).toContain(`退款 ${(t.item.points * 2).toLocaleString('en-US')} 积分`);
    await Promise.all([page.waitForURL(/\/console\/orders\//), page.getByRole('link', { name: /查看订单/ }).click()]);
    const refund = page.locator('[data-refunds="1"] li').first();
    await refund.waitFor();
    expect(await refund.getAttribute('data-units')).toBe('2');
    expect(await refund.getAttribute('data-points')).toBe(String(t.item.points * 2));
    expect(await page.locator('#order-timeline').textContent()).toContain('refund.required');
    await screenshot(page, 'order');
    // The mall's endpoint receives refund.required for this ticket, signed.
    await until(async () => {
      await dispatchWebhooks({ em: rig.hub.deps.orm.em.fork(), clock: rig.hub.clock, queues: rig.hub.deps.queues, batchSize: 50 });
      return [...rx.delivered().values()].some((r) => r.json.type === 'refund.required' && r.json.data.ticketId === t.ticketId);
    }, 20_000, 'refund.required at the mall');
    const told = [...rx.delivered().values()].find((r) => r.json.type === 'refund.required' && r.json.data.ticketId === t.ticketId);
    expect(told?.json.data).toMatchObject({ orderId: t.orderId, lineId: '1', units: 2, points: t.item.points * 2 });
    expect(agent.problems).toEqual([]);
  });

  it('asks a refund above the limit on the third: held for an admin; a refund over the limit from the order page is refused with why', async () => {
    const { page } = agent;
    const t = orders.approval;
    await page.goto(`/console/tickets/${t.ticketId}`);
    // The member's reason is markup: shown as text.
    expect(await page.locator('[data-field="reason"]').textContent()).toBe(`外箱压坏 ${XSS}`);
    await page.locator('select[name="action"]').selectOption('refund');
    const held = await act(page, () => page.getByRole('button', { name: '提交处理' }).click());
    expect(held).toEqual({ kind: 'warn', text: '退款超出你的权限：已提交管理员审批，审批前不会退款。' });
    expect(await page.locator('[data-approval="pending"]').textContent()).toContain('等待管理员审批');
    // An agent has no approve button.
    expect(await page.getByRole('button', { name: '批准退款' }).count()).toBe(0);
    expect((await staffTicket(t.ticketId)).waitingOn).toBe('approval');
    // The order's own refund action, over the limit: 403, and the page says an admin must make it.
    await page.goto(`/console/orders/${t.orderId}`);
    const form = page.locator('form[data-action="refund"][data-line="1"]');
    await form.locator('input[name="reason"]').fill('会员要求退款');
    const refused = await act(page, () => form.getByRole('button', { name: '退款' }).click());
    expect(refused.kind).toBe('error');
    expect(refused.text).toContain('超出客服权限');
    expect(refused.text).toContain('需由管理员操作');
    const ledger = await rig.sql<object[]>("select 1 from ledger_entry where order_id = ? and entry = 'refund'", [t.orderId]);
    expect(ledger).toHaveLength(0);
    expect(agent.problems).toEqual([]);
  });

  it('shows a supplier’s title made of markup as text: no image, no script, no dialog', async () => {
    const { page } = agent;
    for (const path of [`/console/orders/${orders.reship.orderId}`, `/console/tickets/${orders.reship.ticketId}`]) {
      await page.goto(path);
      const title = page.locator('[data-field="title"]').first();
      await title.waitFor();
      expect(await title.textContent()).toBe(XSS);
      expect(await title.isVisible()).toBe(true);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
    }
    await page.waitForTimeout(200);
    expect(agent.problems).toEqual([]);
  });
});

describe('an admin at the console', () => {
  it('approves the held refund', async () => {
    await signIn(admin, adminToken);
    const { page } = admin;
    const t = orders.approval;
    await page.goto(`/console/tickets/${t.ticketId}`);
    await page.getByRole('button', { name: '批准退款' }).waitFor();
    await screenshot(page, 'ticket-approval');
    const done = await act(page, () => page.getByRole('button', { name: '批准退款' }).click());
    expect(done).toEqual({ kind: 'ok', text: '已批准退款。' });
    const ticket = await staffTicket(t.ticketId);
    expect(ticket).toMatchObject({ status: 'resolved', approval: null, resolution: { action: 'refund', units: 1, refund: { points: t.item.points } } });
    expect(await page.locator('[data-resolution="refund"]').count()).toBe(1);
    expect(admin.problems).toEqual([]);
  });

  it('sees the data board: charts and tables with the API’s numbers', async () => {
    const { page } = admin;
    // The period ends now (exclusive) and this test's clock stands still: a minute on, the refunds just made fall inside it.
    rig.hub.clock.advance(60_000);
    // The board reads tables a worker refreshes (every HUB_BOARD_REFRESH_EVERY_MS): refresh them now.
    await refreshBoard(rig.hub.deps.orm.em.fork(), rig.hub.clock);
    const api = await rig.hub.call('GET', '/admin/board', { token: ADMIN_TOKEN });
    const board = await json(api);
    await page.goto('/console/board');
    await page.locator('#board-totals').waitFor();
    for (const [name, value] of Object.entries(board.totals as Record<string, number>)) {
      expect(await page.locator(`[data-metric="totals.${name}"]`).getAttribute('data-value'), name).toBe(String(value));
    }
    expect(board.totals.orders).toBeGreaterThanOrEqual(3);
    // The two units the agent refunded (and the approved one) are on the board.
    expect(board.totals.pointsRefunded).toBeGreaterThan(0);
    const buckets = board.buckets as Record<string, number | string>[];
    for (const [i, b] of buckets.entries()) {
      for (const k of ['orders', 'lines', 'linesSucceeded', 'pointsRedeemed', 'pointsRefunded']) {
        expect(await page.locator(`[data-metric="buckets.${i}.${k}"]`).getAttribute('data-value'), `bucket ${i} ${k}`).toBe(String(b[k]));
      }
    }
    // The charts are drawn (uPlot's canvas) from the same numbers.
    for (const [id, series] of [['chart-points', ['pointsRedeemed', 'pointsRefunded']], ['chart-lines', ['lines', 'linesSucceeded']]] as const) {
      const chart = page.locator(`#${id}`);
      await page.locator(`#${id}[data-drawn="true"] canvas`).waitFor();
      const spec = JSON.parse((await chart.getAttribute('data-chart')) as string) as { x: number[]; series: { values: number[] }[] };
      expect(spec.x).toEqual(buckets.map((b) => Math.floor(new Date(b.start as string).getTime() / 1000)));
      expect(spec.series.map((s) => s.values)).toEqual(series.map((k) => buckets.map((b) => b[k])));
    }
    await screenshot(page, 'board', { screen: true });
    expect(admin.problems).toEqual([]);
  });
});

describe('signing out', () => {
  it('ends the session: the old cookie is refused by the console and the API', async () => {
    const { page, context } = agent;
    await page.goto('/console/suppliers');
    expect(await page.locator('#suppliers').textContent()).toContain('jd');
    // How many hub processes the figures merge (one here: the test's hub shares nothing else).
    expect(await page.locator('#suppliers caption').textContent()).toContain('合并了 1 个中台进程');
    await screenshot(page, 'suppliers');
    await page.goto('/console/webhooks');
    expect(await page.locator('#deliveries').textContent()).toContain('refund.required');
    await screenshot(page, 'webhooks');
    const old = (await context.cookies()).find((c) => c.name === 'rh_console')?.value as string;
    await Promise.all([page.waitForURL(/\/console\/sign-in/), page.getByRole('button', { name: '退出登录' }).click()]);
    const again = await fetch(`${server.url}/console/tickets/${orders.reship.ticketId}`, { headers: { cookie: `rh_console=${old}` }, redirect: 'manual' });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/console/sign-in');
    expect((await rig.hub.call('GET', '/admin/sessions/current', { token: old })).status).toBe(401);
    expect(agent.problems).toEqual([]);
  });
});
