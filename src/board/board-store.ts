import type { EntityManager } from '@mikro-orm/postgresql';
import { BOARD_TIME_ZONE, type BoardBucket } from '../domain/board.ts';

/*
 * The SQL of the data board (issue 20): the facts it counts, kept in board_line, board_ticket and
 * board_refund by the refresh (board-refresh.ts), and the one statement that aggregates a board
 * out of them. The facts are defined once, below, from the order tables; the refresh writes them
 * and `boardAggregates` reads them the same way, so a board read from the kept tables and one
 * computed from the order tables directly (`live`, for tests and the bench) are the same.
 */

const all = <T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> =>
  em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

// The board's time zone as a literal: a constant of the domain, never input; the days kept in the
// tables are of this zone, so the statements that write and read them must agree on it.
if (!/^[A-Za-z_]+\/[A-Za-z_]+$/.test(BOARD_TIME_ZONE)) throw new Error(`unexpected board time zone ${BOARD_TIME_ZONE}`);
const TZ = `'${BOARD_TIME_ZONE}'`;

/**
 * The facts of each line of the orders of `orders` (a relation with the order's `id` and its
 * `created_at`, the acceptance): the columns of board_line.
 *
 * - accepted_day: the acceptance's day in the board's time zone; order_head: the order's first line
 *   (by id), so that counting orders is counting these.
 * - succeeded: delivered or issued, once (`qty_fulfilled` is set by those two moves only), even if
 *   returned or refunded after-sales since.
 * - cost_fen: the supplier cost and freight booked for it, but not those of attempts given up
 *   (cancelled at the supplier, or failed there after accepting): the hub was not charged.
 * - ship_ms: acceptance to the first scan of its first parcel (`shipment.shipped_at`, the
 *   carrier's time), at least 0 (a supplier's clock may be behind the hub's).
 * - issue_ms: acceptance to when the hub recorded its issuance (its first attempt that ended
 *   `issued`, stamped by the worker that recorded it).
 */
const LINE_COLUMNS = 'line_id, mall_id, order_id, accepted_at, accepted_day, order_head, item_id, kind, supplier_id, quantity, points, cash_fen, succeeded, failure_reason, cost_fen, ship_ms, issue_ms';
const lineFacts = (orders: string) => `
  select l.id line_id, l.mall_id, l.order_id, o.created_at accepted_at, (o.created_at at time zone ${TZ})::date accepted_day,
         row_number() over (partition by l.order_id order by l.id) = 1 order_head, l.item_id, l.kind, l.source_supplier_id supplier_id,
         l.quantity, l.points_paid points, l.cash_paid_fen cash_fen, l.qty_fulfilled > 0 succeeded, l.failure_reason,
         coalesce(c.fen, 0)::bigint cost_fen,
         case when sh.at is not null then greatest(0, round(extract(epoch from sh.at - o.created_at) * 1000))::bigint end ship_ms,
         case when iss.at is not null then greatest(0, round(extract(epoch from iss.at - o.created_at) * 1000))::bigint end issue_ms
  from ${orders} o
  join order_line l on l.order_id = o.id
  left join lateral (
    select sum(e.fen) fen from ledger_entry e left join line_attempt a on a.id = e.attempt_id
    where e.line_id = l.id and e.entry in ('supplier_cost', 'freight') and (a.status is null or a.status not in ('cancelled', 'failed'))
  ) c on true
  left join lateral (select min(s.shipped_at) at from shipment s where s.line_id = l.id) sh on true
  left join lateral (select min(a.updated_at) at from line_attempt a where a.line_id = l.id and a.status = 'issued') iss on true`;

/**
 * A line's row again: what may change after intake (the rest is fixed with the order), written only
 * when it did change, so rows read again within the refresh's margin leave no dead versions.
 */
const LINE_UPSERT = `on conflict (line_id) do update set
  succeeded = excluded.succeeded, failure_reason = excluded.failure_reason, supplier_id = excluded.supplier_id, cost_fen = excluded.cost_fen, ship_ms = excluded.ship_ms, issue_ms = excluded.issue_ms
  where (board_line.succeeded, board_line.failure_reason, board_line.supplier_id, board_line.cost_fen, board_line.ship_ms, board_line.issue_ms)
    is distinct from (excluded.succeeded, excluded.failure_reason, excluded.supplier_id, excluded.cost_fen, excluded.ship_ms, excluded.issue_ms)`;

/** Each ticket with its order's acceptance, type and supplier (the one it was taken to, else the one that fulfilled its line): board_ticket's columns. */
const TICKET_COLUMNS = 'ticket_id, mall_id, accepted_at, type, supplier_id';
const ticketFacts = (orders: string, where = 'true') => `
  select t.id ticket_id, t.mall_id, o.created_at accepted_at, t.type, coalesce(t.supplier_id, l.source_supplier_id) supplier_id
  from ${orders} o join aftersale_ticket t on t.order_id = o.id join order_line l on l.id = t.line_id
  where ${where}`;

/** Each refund ledger row (its day in the board's time zone, points given back, positive; its reason): board_refund's columns. */
const REFUND_COLUMNS = 'ledger_id, mall_id, at, day, points, reason';
const refundFacts = (ledger: string) => `
  select e.id ledger_id, e.mall_id, e.at, (e.at at time zone ${TZ})::date as day, (-e.points)::bigint points, coalesce(nullif(e.reason, ''), 'unspecified') reason
  from ${ledger} e where e.entry = 'refund'`;

// ---------------------------------------------------------------------------------------------
// The refresh

/** The refresh's cursor when this worker got the lease; undefined when another worker holds it. */
export async function claimRefresh(em: EntityManager, now: Date, leaseUntil: Date): Promise<{ cursor: Date | null } | undefined> {
  const [row] = await all<{ cursor: Date | null }>(
    em,
    'update board_refresh set lease_until = ? where id = 1 and (lease_until is null or lease_until <= ?) returning cursor',
    [leaseUntil, now],
  );
  return row && { cursor: row.cursor ? new Date(row.cursor) : null };
}

/** Keeps the lease while a long refresh (the first, over every order) goes on. */
export async function renewRefreshLease(em: EntityManager, leaseUntil: Date): Promise<void> {
  await all(em, 'update board_refresh set lease_until = ? where id = 1', [leaseUntil]);
}

/** A finished refresh: its cursor (when it started), when it finished, the lease let go. */
export async function finishRefresh(em: EntityManager, cursor: Date, at: Date): Promise<void> {
  await all(em, 'update board_refresh set cursor = ?, refreshed_at = ?, lease_until = null where id = 1', [cursor, at]);
}

/** A refresh that failed lets its lease go (the next one starts from the same cursor). */
export async function releaseRefresh(em: EntityManager): Promise<void> {
  await all(em, 'update board_refresh set lease_until = null where id = 1', []);
}

/** Every mall, by id: the refresh goes through their orders one mall at a time (mall_order's index is per mall). */
export async function boardMallIds(em: EntityManager): Promise<string[]> {
  return (await all<{ id: string }>(em, 'select id from mall order by id', [])).map((r) => r.id);
}

/** Where a refresh stands in a mall's orders by change time: the last (updated_at, id) done, the time as PostgreSQL's text (microseconds kept). */
export interface OrderPosition {
  at: string;
  id: string;
}

/**
 * Rewrites the board rows of the lines of up to `limit` orders of a mall changed since `since`
 * (null: every order), after `after`, in change order (mall_order's (mall_id, updated_at, id)
 * index). Returns how many orders and where it stopped.
 */
export async function refreshOrderChunk(em: EntityManager, mallId: string, since: Date | null, after: OrderPosition | null, limit: number): Promise<{ orders: number; last: OrderPosition | null }> {
  const [row] = await all<{ n: string; at: string | null; id: string | null }>(
    em,
    `with d as materialized (
       select id, created_at, updated_at from mall_order
       where mall_id = ? and updated_at >= coalesce(?::timestamptz, '-infinity') and (updated_at, id) > (?::timestamptz, ?)
       order by updated_at, id limit ?
     ), up as (
       insert into board_line (${LINE_COLUMNS}) ${lineFacts('d')}
       ${LINE_UPSERT}
     ), last as (select updated_at, id from d order by updated_at desc, id desc limit 1)
     select (select count(*) from d) n, (select updated_at::text from last) at, (select id from last) id`,
    [mallId, since, after?.at ?? '-infinity', after?.id ?? '', limit],
  );
  return { orders: Number(row?.n ?? 0), last: row?.at && row.id ? { at: row.at, id: row.id } : null };
}

/** Rewrites the board rows of the orders a supplier cost or freight was booked for since `since` (a booking moves no line by itself). */
export async function refreshCostedOrders(em: EntityManager, since: Date): Promise<number> {
  const [row] = await all<{ n: string }>(
    em,
    `with d as materialized (
       select distinct o.id, o.created_at from mall m
       cross join lateral (select order_id from ledger_entry where mall_id = m.id and at >= ? and entry in ('supplier_cost', 'freight')) e
       join mall_order o on o.id = e.order_id
     ), up as (
       insert into board_line (${LINE_COLUMNS}) ${lineFacts('d')}
       ${LINE_UPSERT}
     )
     select count(*) n from d`,
    [since],
  );
  return Number(row?.n ?? 0);
}

/** Adds the refunds written since `since` (null: all); a refund is never changed, so a repeat is skipped. */
export async function refreshRefunds(em: EntityManager, since: Date | null): Promise<number> {
  const rows = await all<{ ledger_id: string }>(
    em,
    `insert into board_refund (${REFUND_COLUMNS})
     ${refundFacts(`(select x.* from mall m cross join lateral (select * from ledger_entry where mall_id = m.id and at >= coalesce(?::timestamptz, '-infinity') and entry = 'refund') x)`)}
     on conflict (ledger_id) do nothing returning ledger_id`,
    [since],
  );
  return rows.length;
}

/** Writes the tickets changed since `since` (null: all): a ticket's supplier is known only once it is taken to one. */
export async function refreshTickets(em: EntityManager, since: Date | null): Promise<number> {
  const rows = await all<{ ticket_id: string }>(
    em,
    `insert into board_ticket (${TICKET_COLUMNS})
     ${ticketFacts('mall_order', "t.updated_at >= coalesce(?::timestamptz, '-infinity')")}
     on conflict (ticket_id) do update set supplier_id = excluded.supplier_id where board_ticket.supplier_id is distinct from excluded.supplier_id
     returning ticket_id`,
    [since],
  );
  return rows.length;
}

// ---------------------------------------------------------------------------------------------
// Reading a board

/** Where a board's facts come from: the kept tables, or computed from the order tables now. */
export type BoardSource = 'tables' | 'live';

export interface BoardQuery {
  /** null: every mall. */
  mallId: string | null;
  from: Date;
  to: Date;
  bucket: BoardBucket;
  top: number;
  flaggedMax: number;
  costLimit: number;
}

/** The aggregates of a board as the statement returns them (numbers may come as strings from bigint and numeric). */
export interface BoardRow {
  mallExists: boolean;
  asOf: string | null;
  totals: { orders: number; lines: number; succeeded: number; points: number; cashFen: number };
  refunded: number;
  buckets: { start: string; orders: number; lines: number; succeeded: number; points: number; refunded: number }[];
  ship: { p50: number | null; p90: number | null; count: number };
  issue: { p50: number | null; p90: number | null; count: number };
  failures: { reason: string; count: number }[];
  refunds: { reason: string; count: number }[];
  byRedemptions: { skuId: string; title: string; redemptions: number; points: number }[];
  byPoints: { skuId: string; title: string; redemptions: number; points: number }[];
  kinds: Record<string, number>;
  ticketTypes: Record<string, number>;
  ticketSuppliers: Record<string, number>;
  succeededBySupplier: Record<string, number>;
  cost: { costFen: number; valueFen: number };
  flagged: { skuId: string; title: string; costFen: number; valueFen: number; ratio: number }[];
}

/** The three relations a board aggregates (f: lines, t: tickets, r: refunds), filtered to the period and mall. */
function sources(source: BoardSource, oneMall: boolean): { pre: string; f: string; t: string; r: string } {
  const inPeriod = (col: string) => `${col} >= (select lo from p) and ${col} < (select hi from p)`;
  // Across malls, mall_order and ledger_entry are read mall by mall: their indexes start with the mall.
  const perMall = (table: string, col: string, extra = 'true') =>
    oneMall
      ? `(select * from ${table} where mall_id = (select mall from p) and ${inPeriod(col)} and ${extra})`
      : `(select x.* from mall m cross join lateral (select * from ${table} where mall_id = m.id and ${inPeriod(col)} and ${extra}) x)`;
  if (source === 'live') {
    return {
      pre: `o as materialized (select id, created_at from ${perMall('mall_order', 'created_at')} q),`,
      f: lineFacts('o'),
      t: ticketFacts('o'),
      r: refundFacts(perMall('ledger_entry', 'at', "entry = 'refund'")),
    };
  }
  const kept = (table: string, col: string) => `select * from ${table} where ${oneMall ? 'mall_id = (select mall from p) and ' : ''}${inPeriod(col)}`;
  return { pre: '', f: kept('board_line', 'accepted_at'), t: kept('board_ticket', 'accepted_at'), r: kept('board_refund', 'at') };
}

/**
 * One board in one statement: the totals, the buckets (every day or week of the period in the
 * board's time zone, empty ones included), the percentiles (`percentile_disc`: a value some line
 * had), the top lists, the shares and rates' counts, and the cost ratio's sums, the value of points
 * at each mall's current `points_per_yuan` (summed per mall and item first, then valued).
 */
export async function boardAggregates(em: EntityManager, q: BoardQuery, source: BoardSource): Promise<BoardRow> {
  const s = sources(source, q.mallId !== null);
  const [row] = await all<{ board: BoardRow }>(
    em,
    `with p as (select ?::text mall, ?::timestamptz lo, ?::timestamptz hi, ?::text unit),
     ${s.pre}
     f as materialized (${s.f}),
     t as materialized (${s.t}),
     r as materialized (${s.r}),
     v as materialized (
       select x.item_id, x.cost, x.points * 100.0 / m.points_per_yuan value_fen
       from (select item_id, mall_id, sum(cost_fen) cost, sum(points) points from f where succeeded group by 1, 2) x join mall m on m.id = x.mall_id
     ),
     top_items as materialized (
       select ci.sku_id, ci.title, x.redemptions, x.points
       from (select item_id, sum(quantity) redemptions, sum(points) points from f group by item_id) x join catalog_item ci on ci.id = x.item_id
     ),
     b as (
       select g::date as day from p,
       generate_series(date_trunc(p.unit, p.lo at time zone ${TZ}), date_trunc(p.unit, (p.hi - interval '1 microsecond') at time zone ${TZ}), ('1 ' || p.unit)::interval) g
     ),
     fb as (select date_trunc(p.unit, f.accepted_day::timestamp)::date as day, count(*) filter (where f.order_head) orders, count(*) lines,
                   count(*) filter (where f.succeeded) succeeded, sum(f.points) points from f, p group by 1),
     rb as (select date_trunc(p.unit, r.day::timestamp)::date as day, sum(r.points) refunded from r, p group by 1)
     select jsonb_build_object(
       'mallExists', (select mall is null or exists (select 1 from mall where id = p.mall) from p),
       'asOf', ${source === 'live' ? 'now()' : '(select refreshed_at from board_refresh where id = 1)'},
       'totals', (select jsonb_build_object('orders', count(*) filter (where order_head), 'lines', count(*), 'succeeded', count(*) filter (where succeeded),
                   'points', coalesce(sum(points), 0), 'cashFen', coalesce(sum(cash_fen), 0)) from f),
       'refunded', (select coalesce(sum(points), 0) from r),
       'buckets', (select coalesce(jsonb_agg(jsonb_build_object('start', b.day::timestamp at time zone ${TZ}, 'orders', coalesce(fb.orders, 0), 'lines', coalesce(fb.lines, 0),
                     'succeeded', coalesce(fb.succeeded, 0), 'points', coalesce(fb.points, 0), 'refunded', coalesce(rb.refunded, 0)) order by b.day), '[]')
                   from b left join fb on fb.day = b.day left join rb on rb.day = b.day),
       'ship', (select jsonb_build_object('p50', percentile_disc(0.5) within group (order by ship_ms), 'p90', percentile_disc(0.9) within group (order by ship_ms), 'count', count(*))
                from f where ship_ms is not null),
       'issue', (select jsonb_build_object('p50', percentile_disc(0.5) within group (order by issue_ms), 'p90', percentile_disc(0.9) within group (order by issue_ms), 'count', count(*))
                 from f where issue_ms is not null),
       'failures', (select coalesce(jsonb_agg(jsonb_build_object('reason', reason, 'count', n) order by n desc, reason collate "C"), '[]')
                    from (select failure_reason reason, count(*) n from f where failure_reason is not null group by 1 order by n desc, failure_reason collate "C" limit ?) x),
       'refunds', (select coalesce(jsonb_agg(jsonb_build_object('reason', reason, 'count', n) order by n desc, reason collate "C"), '[]')
                   from (select reason, count(*) n from r group by 1 order by n desc, reason collate "C" limit ?) x),
       'byRedemptions', (select coalesce(jsonb_agg(jsonb_build_object('skuId', sku_id, 'title', title, 'redemptions', redemptions, 'points', points) order by redemptions desc, points desc, sku_id collate "C"), '[]')
                         from (select * from top_items order by redemptions desc, points desc, sku_id collate "C" limit ?) x),
       'byPoints', (select coalesce(jsonb_agg(jsonb_build_object('skuId', sku_id, 'title', title, 'redemptions', redemptions, 'points', points) order by points desc, redemptions desc, sku_id collate "C"), '[]')
                    from (select * from top_items order by points desc, redemptions desc, sku_id collate "C" limit ?) x),
       'kinds', (select coalesce(jsonb_object_agg(kind, n), '{}') from (select kind, count(*) n from f group by 1) x),
       'ticketTypes', (select coalesce(jsonb_object_agg(type, n), '{}') from (select type, count(*) n from t group by 1) x),
       'ticketSuppliers', (select coalesce(jsonb_object_agg(supplier_id, n), '{}') from (select supplier_id, count(*) n from t where supplier_id is not null group by 1) x),
       'succeededBySupplier', (select coalesce(jsonb_object_agg(supplier_id, n), '{}') from (select supplier_id, count(*) n from f where succeeded and supplier_id is not null group by 1) x),
       'cost', (select jsonb_build_object('costFen', coalesce(sum(cost), 0), 'valueFen', coalesce(sum(value_fen), 0)) from v),
       'flagged', (select coalesce(jsonb_agg(jsonb_build_object('skuId', ci.sku_id, 'title', ci.title, 'costFen', x.cost, 'valueFen', x.value, 'ratio', x.ratio) order by x.ratio desc, ci.sku_id collate "C"), '[]')
                   from (select item_id, sum(cost) cost, sum(value_fen) value, (sum(cost) / sum(value_fen))::float8 ratio from v group by 1
                         having sum(value_fen) > 0 and sum(cost) > ? * sum(value_fen) order by 4 desc, 1 limit ?) x
                   join catalog_item ci on ci.id = x.item_id)
     ) board from p`,
    [q.mallId, q.from, q.to, q.bucket, q.top, q.top, q.top, q.top, q.costLimit, q.flaggedMax],
  );
  if (!row) throw new Error('the board statement returned no row');
  return row.board;
}
