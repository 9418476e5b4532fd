import type pg from 'pg';
import { migrate } from '../src/persistence/orm.ts';
import { dbUrl, withClient } from './bench-db.ts';

/*
 * The data board bench's database: BENCH_BOARD_ORDERS orders (1 000 000) of BENCH_BOARD_MALLS malls
 * (20) over the year before the seed, with the rows the board reads as the hub writes them: lines
 * with their outcomes, attempts, parcels, the ledger (settlement, supplier cost, freight, refunds)
 * and after-sales tickets. Written by bulk SQL (generate_series) straight into the hub's tables,
 * without mall events, workflow runs or outbox jobs (the board reads none of them). Every time is
 * before the seed's end (the refresh reads what changed after its cursor: nothing, when idle). Kept between
 * runs: made again only when missing, of another size, or with BENCH_BOARD_RESEED=1.
 */

const env = process.env;
export const BOARD_DB = env.BENCH_BOARD_DB ?? 'bench_board';
if (!/^[a-z_][a-z0-9_]*$/.test(BOARD_DB) || BOARD_DB === 'bench_catalog') throw new Error(`BENCH_BOARD_DB must be its own plain identifier, not "${BOARD_DB}"`);
export const BOARD_ORDERS = Number(env.BENCH_BOARD_ORDERS ?? 1_000_000);
export const BOARD_MALLS = Number(env.BENCH_BOARD_MALLS ?? 20);
const ITEMS = 2_000;
/** Bumped when the seed's shape changes, so an older seed is made again. */
const SEED_VERSION = 2;

export interface BoardSeed {
  /** The end of the seeded year (orders are accepted before it). */
  end: Date;
  orders: number;
  lines: number;
  malls: string[];
  /** Set when this run made the seed (null when it reused one). */
  seededSeconds: number | null;
}

const q = (c: pg.Client, sql: string, params: unknown[] = []) => c.query(sql, params);

/** The seeded database, made when it is missing or not of this size and version. */
export async function ensureBoardSeed(progress: (line: string) => void): Promise<BoardSeed> {
  const existing = env.BENCH_BOARD_RESEED === '1' ? null : await readSeed();
  if (existing) return existing;
  const started = performance.now();
  await withClient(async (c) => {
    await c.query(`drop database if exists ${BOARD_DB} with (force)`);
    await c.query(`create database ${BOARD_DB}`);
  }, 'postgres');
  await migrate({ databaseUrl: dbUrl(BOARD_DB), dbPoolMax: 2 });
  const end = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
  await withClient(async (c) => {
    const step = async (what: string, sql: string, params: unknown[] = []) => {
      const t0 = performance.now();
      const r = await q(c, sql, params);
      progress(`  seed: ${what}: ${r.rowCount ?? 0} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    };
    await q(c, 'select setseed(0.2026)');
    await step('malls', `
      insert into mall (id, name, webhook_url, webhook_secret, points_per_yuan, rate_limit_per_sec, rate_limit_burst, created_at, updated_at)
      select 'mall_bench' || lpad(m::text, 2, '0'), '积分商城 ' || m, 'http://127.0.0.1:9/hook', '{}'::jsonb, case when m % 5 = 0 then 50 else 100 end, 200, 400, $1::timestamptz - interval '400 days', $1::timestamptz - interval '400 days'
      from generate_series(1, $2::int) m`, [end, BOARD_MALLS]);
    // Items: a supplier each, a cost between 45 % and 80 % of the points' value (some over the 70 % rule).
    await step('catalog items', `
      insert into catalog_item (match_key, kind, title, market_price_fen, best_cost_fen, sellable)
      select 'bench-board-' || n, case when n % 20 < 14 then 'physical' when n % 20 < 19 then 'virtual' else 'service' end,
             (array['蓝牙耳机', '电饭煲', '视频会员月卡', '话费充值 50 元', '保温杯', '星巴克电子券', '行李箱', '空气炸锅'])[1 + n % 8] || ' #' || n, 10000, 5000, true
      from generate_series(1, ${ITEMS}) n`);
    await q(c, `create temp table bench_item as
      select n, ci.id, ci.sku_id, ci.kind, (200 + (n * 7919) % 9800) * 10 as points, 0.45 + ((n * 104729) % 36) / 100.0 as cost_share,
             case when ci.kind = 'virtual' then 'topup-fulu' when ci.kind = 'service' then 'brand-acme' else (array['jd', 'taobao', 'brand-acme', 'brand-lumen'])[1 + n % 4] end as supplier
      from catalog_item ci join generate_series(1, ${ITEMS}) n on ci.match_key = 'bench-board-' || n`);
    await q(c, 'create unique index on bench_item (n)');
    // Orders evenly over the year, malls interleaved: inserted in acceptance order, as intake writes them.
    await step('orders', `
      insert into mall_order (id, mall_id, mall_order_id, idempotency_key, request_hash, member_id, status, created_at, updated_at)
      select 'ord_b' || i, 'mall_bench' || lpad((1 + i % $3::int)::text, 2, '0'), 'M' || i, 'k' || i, 'h', 'member-' || (i % 50000), 'completed',
             $1::timestamptz - interval '365 days' + (i * (365 * 86400.0 / $2::int)) * interval '1 second',
             least($1::timestamptz - interval '365 days' + (i * (365 * 86400.0 / $2::int)) * interval '1 second' + interval '3 days', $1::timestamptz - interval '1 second')
      from generate_series(0, $2::int - 1) i`, [end, BOARD_ORDERS, BOARD_MALLS]);
    // Lines: 30 % of orders have two; items Zipf-like (a few popular ones); outcomes 88 % delivered or
    // issued, 5 % failed, 4 % cancelled, 3 % still on the way.
    await step('order lines', `
      insert into order_line (id, order_id, mall_id, line_id, item_id, sku_id, kind, quantity, points_paid, cash_paid_fen, unit_points, unit_cash_fen,
                              status, qty_fulfilled, qty_failed, qty_cancelled, source_supplier_id, failure_reason, created_at, updated_at)
      select 'lin_' || substr(o.id, 5) || '_' || k, o.id, o.mall_id, k::text, it.id, it.sku_id, it.kind, x.qty, it.points * x.qty, case when x.cash then 990 * x.qty else 0 end, it.points, case when x.cash then 990 else 0 end,
             case when x.r < 0.88 then (case when it.kind = 'physical' then 'delivered' else 'issued' end)
                  when x.r < 0.93 then 'failed' when x.r < 0.97 then 'cancelled' else (case when it.kind = 'physical' then 'shipped' else 'issuing' end) end,
             case when x.r < 0.88 then x.qty else 0 end, case when x.r >= 0.88 and x.r < 0.93 then x.qty else 0 end, case when x.r >= 0.93 and x.r < 0.97 then x.qty else 0 end,
             case when x.r < 0.93 or x.r >= 0.97 then it.supplier end,
             case when x.r >= 0.88 and x.r < 0.93 then (array['no source could sell it: out of stock', 'supplier refused: address unserviceable', 'issuance failed: account does not exist', 'supplier cancelled the order'])[1 + floor(x.r2 * 4)::int] end,
             o.created_at, o.updated_at
      from mall_order o
      cross join lateral generate_series(1, case when hashtext(o.id) % 10 in (0, 1, 2) then 2 else 1 end) k
      cross join lateral (select random() + 0 * k as r, random() + 0 * k as r2, case when random() + 0 * k < 0.1 then 2 else 1 end as qty,
                                 1 + floor(power(random() + 0 * k, 3) * ${ITEMS})::int as item_no, random() + 0 * k < 0.05 as cash) x
      join bench_item it on it.n = x.item_no`);
    await step('line attempts', `
      insert into line_attempt (id, line_id, seq, supplier_id, supplier_account_id, supplier_sku_id, reference, status, supplier_order_id, quantity, cost_fen, created_at, updated_at)
      select 'att_' || substr(l.id, 5), l.id, 1, l.source_supplier_id, l.source_supplier_id, 'S' || l.item_id, substr(l.id, 5) || 'a1',
             case l.status when 'issued' then 'issued' when 'failed' then 'failed' when 'issuing' then 'submitted' else 'accepted' end,
             'SO' || substr(l.id, 5), l.quantity, round(it.points * it.cost_share), l.created_at,
             l.created_at + case when l.status = 'issued' then (5 + random() * 600) * interval '1 second' else interval '1 minute' end
      from order_line l join bench_item it on it.id = l.item_id
      where l.source_supplier_id is not null`);
    await step('shipments', `
      insert into shipment (id, line_id, supplier_id, supplier_order_id, carrier, tracking_no, status, shipped_at, delivered_at, last_event_at, created_at, updated_at)
      select 'shp_' || substr(l.id, 5), l.id, l.source_supplier_id, 'SO' || substr(l.id, 5), 'SF', 'SF' || substr(l.id, 7), case l.status when 'delivered' then 'delivered' else 'in_transit' end,
             s.at, case when l.status = 'delivered' then s.at + interval '2 days' end, s.at + interval '2 days', l.created_at, s.at + interval '2 days'
      from order_line l cross join lateral (select l.created_at + (2 + random() * 70) * interval '1 hour' as at) s
      where l.kind = 'physical' and l.status in ('delivered', 'shipped')`);
    await step('ledger: settlements', `
      insert into ledger_entry (mall_id, order_id, line_id, entry, units, points, fen, at)
      select mall_id, order_id, id, 'settlement', quantity, points_paid, cash_paid_fen, created_at from order_line`);
    await step('ledger: supplier costs and freight', `
      insert into ledger_entry (mall_id, order_id, line_id, entry, units, points, fen, supplier_id, attempt_id, at)
      select l.mall_id, l.order_id, l.id, e.entry, l.quantity, 0, case e.entry when 'supplier_cost' then a.cost_fen * l.quantity else 800 end, a.supplier_id, a.id, a.updated_at
      from order_line l join line_attempt a on a.line_id = l.id
      cross join lateral (select 'supplier_cost' as entry union all select 'freight' where l.kind = 'physical' and hashtext(l.id) % 3 = 0) e
      where a.status in ('accepted', 'issued', 'failed')`);
    await step('ledger: refunds of failed and cancelled lines', `
      insert into ledger_entry (mall_id, order_id, line_id, entry, units, points, fen, reason, at)
      select mall_id, order_id, id, 'refund', quantity, -points_paid, -cash_paid_fen, coalesce(failure_reason, '会员取消'), least(created_at + interval '6 hours', $1::timestamptz - interval '1 second')
      from order_line where status in ('failed', 'cancelled')`, [end]);
    // After-sales: 2 % of the lines delivered or issued, a tenth of them refunded.
    await step('after-sales tickets', `
      insert into aftersale_ticket (id, mall_id, order_id, line_id, type, status, quantity, reason, idempotency_key, request_hash, first_response_due_at, resolution_due_at, created_at, updated_at, supplier_id)
      select 'ast_' || substr(l.id, 5), l.mall_id, l.order_id, l.id,
             case when l.kind = 'physical' then (array['return', 'exchange', 'damaged', 'missing_item', 'wrong_item', 'not_received'])[1 + abs(hashtext(l.id)) % 6] else 'virtual_not_received' end,
             'resolved', 1, '商品有问题', 'as-' || l.id, 'h', l.created_at + interval '5 days', l.created_at + interval '8 days',
             least(l.created_at + interval '4 days', $1::timestamptz - interval '2 seconds'), least(l.created_at + interval '6 days', $1::timestamptz - interval '1 second'),
             case when abs(hashtext(l.id)) % 2 = 0 then l.source_supplier_id end
      from order_line l where l.qty_fulfilled > 0 and abs(hashtext(l.id || 'as')) % 50 = 0`, [end]);
    await step('ledger: after-sales refunds', `
      insert into ledger_entry (mall_id, order_id, line_id, entry, units, points, fen, reason, ref, at)
      select t.mall_id, t.order_id, t.line_id, 'refund', 1, -l.unit_points, -l.unit_cash_fen, '售后退款：' || t.type, 'ticket:' || t.id, t.updated_at
      from aftersale_ticket t join order_line l on l.id = t.line_id where abs(hashtext(t.id)) % 10 = 0`);
    await step('analyze', 'vacuum analyze');
    await q(c, 'create table bench_board_seed (version int, orders int, malls int, seed_end timestamptz)');
    await q(c, 'insert into bench_board_seed values ($1, $2, $3, $4)', [SEED_VERSION, BOARD_ORDERS, BOARD_MALLS, end]);
  }, BOARD_DB);
  const seed = await readSeed();
  if (!seed) throw new Error('the board seed was written but cannot be read back');
  return { ...seed, seededSeconds: Number(((performance.now() - started) / 1000).toFixed(1)) };
}

/** The seed already in the database, when it is of this size and version. */
async function readSeed(): Promise<BoardSeed | null> {
  const exists = await withClient(async (c) => (await c.query('select 1 from pg_database where datname = $1', [BOARD_DB])).rowCount === 1, 'postgres');
  if (!exists) return null;
  return withClient(async (c) => {
    if ((await c.query("select to_regclass('bench_board_seed') is not null as ok")).rows[0]?.ok !== true) return null;
    const { rows } = await c.query<{ version: number; orders: number; malls: number; seed_end: Date }>('select * from bench_board_seed');
    const s = rows[0];
    if (!s || s.version !== SEED_VERSION || s.orders !== BOARD_ORDERS || s.malls !== BOARD_MALLS) return null;
    const lines = Number((await c.query<{ n: string }>('select count(*) n from order_line')).rows[0]?.n);
    const malls = (await c.query<{ id: string }>('select id from mall order by id')).rows.map((r) => r.id);
    return { end: new Date(s.seed_end), orders: s.orders, lines, malls, seededSeconds: null };
  }, BOARD_DB);
}
