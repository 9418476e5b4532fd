import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { repriceMall } from '../../src/catalog/mall-pricing.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';

// What POST /v1/orders checks of `rechargeAccount`, by what each line's item is (the rules are in
// src/domain/order-intake.ts, checkRechargeAccount): the form a recharge takes, none where nothing
// is recharged. A refusal is 400 validation_failed naming body.lines.{i}.rechargeAccount, and
// writes nothing.

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let mall: { mallId: string; apiKey: string };
type Item = { skuId: string; points: number; cashFen: number };
const items: Record<'goods' | 'service' | 'phone' | 'data' | 'voucher' | 'tencent' | 'mobileOnly' | 'netease', Item> = {} as never;
const recipient = { name: '张三', phone: '13800138000', province: '北京', city: '北京市', district: '朝阳区', address: '建国路 88 号' };

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);

/** A sellable item of the mall matching a condition on catalog_item (ci). */
async function item(where: string, params: unknown[] = []): Promise<Item> {
  const [row] = await sql<{ sku_id: string; points: number; cash_fen: number }[]>(
    `select ci.sku_id, mi.points, mi.cash_fen from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ?
     where mi.sellable and (mi.stock_units is null or mi.stock_units > 0) and ${where} order by ci.id limit 1`,
    [mall.mallId, ...params],
  );
  if (!row) throw new Error(`no item where ${where} ${params.join(', ')}`);
  return { skuId: row.sku_id, points: row.points, cashFen: row.cash_fen };
}

beforeAll(async () => {
  hub = await startTestHub();
  const clock = new SandboxClock();
  server = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: 43, skus: 200, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers), clock));
  const connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers, () => clock.now());
  for (const id of ['brand-acme', 'topup-fulu', 'topup-yike']) await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, connectors.get(id) as SupplierConnector, { pageSize: 100 });
  mall = await hub.createMall('Account mall');
  await repriceMall(hub.deps.orm.em.fork(), mall.mallId);
  items.goods = await item("ci.kind = 'physical'");
  items.service = await item("ci.kind = 'service'");
  items.phone = await item("ci.match_key like 'v:phone_topup|%'");
  items.data = await item("ci.match_key like 'v:data|%'");
  items.voucher = await item("ci.match_key like 'v:voucher|%'");
  items.tencent = await item("ci.match_key like 'v:video_membership|%' and ci.attributes->>'platform' = ?", ['腾讯视频']);
  items.mobileOnly = await item("ci.match_key like 'v:video_membership|%' and ci.attributes->>'platform' = ?", ['爱奇艺']);
  items.netease = await item("ci.match_key like 'v:video_membership|%' and ci.attributes->>'platform' = ?", ['网易云音乐']);
});
afterAll(async () => {
  await server?.close();
  await hub?.close();
});

let n = 0;
const line = (i: Item, rechargeAccount?: string, lineId = '1') => ({ lineId, skuId: i.skuId, quantity: 1, pointsPaid: i.points, cashPaidFen: i.cashFen, ...(rechargeAccount === undefined ? {} : { rechargeAccount }) });
const post = (lines: object[], key = `acct-${++n}`) =>
  hub.call('POST', '/v1/orders', { token: mall.apiKey, headers: { 'idempotency-key': key }, body: { mallOrderId: `A-${key}`, member: { id: 'm-1' }, recipient, lines } });
const counts = async () =>
  (await sql<Record<string, string>[]>(
    `select (select count(*) from mall_order)::text o, (select count(*) from order_line)::text l, (select count(*) from ledger_entry)::text g,
            (select count(*) from workflow_run)::text w, (select count(*) from job_outbox)::text j, (select count(*) from mall_event)::text e`,
  ))[0];
/** The account stored for a line (sealed at rest). */
const stored = async (orderId: string, lineId = '1') => {
  const [row] = await sql<{ recharge_account: { keyId: string; data: string } | null }[]>('select recharge_account from order_line where order_id = ? and line_id = ?', [orderId, lineId]);
  return row?.recharge_account ? hub.deps.crypto.open(row.recharge_account) : null;
};
/** A refusal: 400 validation_failed with these fields (path, code), and nothing written. */
async function refused(lines: object[], fields: [string, string][]) {
  const before = await counts();
  const res = await post(lines);
  const out = await json(res);
  expect(res.status, JSON.stringify(out)).toBe(400);
  expect(out.error.code).toBe('validation_failed');
  expect(out.error.details.fields.map((f: { path: string; code: string }) => [f.path, f.code])).toEqual(fields);
  for (const f of out.error.details.fields) expect(f.message.length).toBeGreaterThan(10);
  expect(await counts()).toEqual(before);
}
async function accepted(lines: object[]): Promise<string> {
  const res = await post(lines);
  const out = await json(res);
  expect(res.status, JSON.stringify(out)).toBe(201);
  return out.orderId as string;
}

describe('POST /v1/orders: the recharge account each line takes', () => {
  it('recharges a phone top-up or a data package to a mainland mobile number, stored as its 11 digits', async () => {
    await refused([line(items.phone)], [['body.lines.0.rechargeAccount', 'required']]);
    for (const bad of ['abcdefg', '12345678901', '1380013800', '138001380001', '10000', 'someone@qq.com']) {
      await refused([line(items.phone, bad)], [['body.lines.0.rechargeAccount', 'invalid_account']]);
    }
    await refused([line(items.data, '123456')], [['body.lines.0.rechargeAccount', 'invalid_account']]);
    for (const [given, digits] of [['13900139000', '13900139000'], ['+86 139-0013-9001', '13900139001'], ['8619900139002', '19900139002']]) {
      expect(await stored(await accepted([line(items.phone, given)]))).toBe(digits);
    }
    expect(await stored(await accepted([line(items.data, '166 0016 6000')]))).toBe('16600166000');
  });

  it('takes the account forms each membership platform takes', async () => {
    // 腾讯视频: a mobile number or a QQ number.
    expect(await stored(await accepted([line(items.tencent, '10001234')]))).toBe('10001234');
    expect(await stored(await accepted([line(items.tencent, '13700137000')]))).toBe('13700137000');
    await refused([line(items.tencent, 'member@example.com')], [['body.lines.0.rechargeAccount', 'invalid_account']]);
    await refused([line(items.tencent, '01234567')], [['body.lines.0.rechargeAccount', 'invalid_account']]);
    // 网易云音乐: a mobile number or an e-mail address.
    expect(await stored(await accepted([line(items.netease, 'listener@163.com')]))).toBe('listener@163.com');
    // 爱奇艺: the member's mobile number only.
    expect(await stored(await accepted([line(items.mobileOnly, '13500135000')]))).toBe('13500135000');
    await refused([line(items.mobileOnly, '10001234')], [['body.lines.0.rechargeAccount', 'invalid_account']]);
    await refused([line(items.mobileOnly)], [['body.lines.0.rechargeAccount', 'required']]);
  });

  it('takes no account for voucher codes, a brand e-voucher or goods: none needed, one given is refused', async () => {
    const order = await accepted([line(items.voucher)]);
    expect(await stored(order)).toBeNull();
    await accepted([line(items.service)]);
    await refused([line(items.voucher, '13900139000')], [['body.lines.0.rechargeAccount', 'not_applicable']]);
    await refused([line(items.service, '13900139000')], [['body.lines.0.rechargeAccount', 'not_applicable']]);
    await refused([line(items.goods, '13900139000')], [['body.lines.0.rechargeAccount', 'not_applicable']]);
  });

  it('names every line refused in one answer, by its index, and the key stays unused for the corrected order', async () => {
    const lines = [line(items.goods, undefined, 'a'), line(items.voucher, '13900139000', 'b'), line(items.phone, 'x-y-z', 'c'), line(items.tencent, undefined, 'd')];
    await refused(lines, [
      ['body.lines.1.rechargeAccount', 'not_applicable'],
      ['body.lines.2.rechargeAccount', 'invalid_account'],
      ['body.lines.3.rechargeAccount', 'required'],
    ]);
    const key = 'acct-retry';
    const first = await post([line(items.phone, '1234')], key);
    expect(first.status).toBe(400);
    const fixed = await post([line(items.phone, '13900139000')], key);
    expect(fixed.status).toBe(201);
  });
});
