import type { EntityManager } from '@mikro-orm/postgresql';
import { executePrepared } from '../persistence/bound-query.ts';
import { insertRunsFrom } from '../../workflows/engine/index.ts';

/** Everything an accepted order writes, with ids made by the caller. */
export interface NewOrderRows {
  order: {
    id: string; mallId: string; mallOrderId: string; idempotencyKey: string; requestHash: string; memberId: string; memberTier: string | null;
    /** Sealed recipient (the crypto box's envelope), null for virtual-only orders. */
    recipient: object | null; phoneTailHash: string | null; phoneHashKeyId: string | null; at: Date;
  };
  lines: {
    id: string; lineId: string; itemId: string; skuId: string; kind: string; quantity: number; pointsPaid: number; cashPaidFen: number;
    unitPoints: number; unitCashFen: number;
    /** Sealed recharge account (the crypto box's envelope), null for goods. */
    rechargeAccount: object | null;
    run: { id: string; workflow: string };
    job: { queue: string; jobId: string; payload: unknown };
  }[];
  event: { id: string; type: string; data: Record<string, unknown> };
}

/**
 * Writes accepted orders in one statement: each order, its lines, their settlement ledger rows,
 * workflow runs and outbox jobs, and the order's first mall event (seq 1). One statement is one
 * round trip and one commit (PostgreSQL checks the foreign keys at its end), so an order exists
 * with all of its rows or not at all. An order whose idempotency key or mall order id is taken
 * (a repeated request, or a concurrent one that committed first) is skipped, with none of its
 * rows: the caller answers it from the existing order. Intake is the hub's hottest write:
 * profiled, each round trip and commit cost more CPU than the inserts, and probing the order
 * indexes before inserting contended with the inserts on their newest pages.
 * Returns per order the outbox row ids of its jobs in line order, or null when it was skipped.
 */
/** Each line's workflow run, started by the engine's own statement in the same round trip. */
const START_RUNS = insertRunsFrom('input order by i', { id: 'run_id', workflow: 'workflow', subject: 'id', tenant: 'mall_id', at: 'at' });

export async function insertOrders(em: EntityManager, orders: NewOrderRows[]): Promise<(string[] | null)[]> {
  const heads = orders.map((r) => ({
    id: r.order.id, mall_id: r.order.mallId, mall_order_id: r.order.mallOrderId, idempotency_key: r.order.idempotencyKey, request_hash: r.order.requestHash,
    member_id: r.order.memberId, member_tier: r.order.memberTier, recipient: r.order.recipient, phone_tail_hash: r.order.phoneTailHash,
    phone_hash_key_id: r.order.phoneHashKeyId, at: r.order.at.toISOString(), event_id: r.event.id, event_type: r.event.type, event_data: r.event.data,
  }));
  let i = 0;
  const lines = orders.flatMap((r) => r.lines.map((l) => ({
    i: i++, order_id: r.order.id, mall_id: r.order.mallId, at: r.order.at.toISOString(),
    id: l.id, line_id: l.lineId, item_id: l.itemId, sku_id: l.skuId, kind: l.kind, quantity: l.quantity, points_paid: l.pointsPaid, cash_paid_fen: l.cashPaidFen,
    unit_points: l.unitPoints, unit_cash_fen: l.unitCashFen, recharge_account: l.rechargeAccount,
    run_id: l.run.id, workflow: l.run.workflow, queue: l.job.queue, job_id: l.job.jobId, payload: l.job.payload,
  })));
  const rows = await executePrepared<{ order_id: string; i: number | null; id: string | null }>(
    em,
    'intake-insert-orders',
    `with ord as (
       select * from jsonb_to_recordset(?::jsonb) as x(id text, mall_id text, mall_order_id text, idempotency_key text, request_hash text, member_id text, member_tier text,
         recipient jsonb, phone_tail_hash text, phone_hash_key_id text, at timestamptz, event_id text, event_type text, event_data jsonb)
     ), o as (
       insert into mall_order (id, mall_id, mall_order_id, idempotency_key, request_hash, member_id, member_tier, recipient, phone_tail_hash, phone_hash_key_id, status, created_at, updated_at)
       select id, mall_id, mall_order_id, idempotency_key, request_hash, member_id, member_tier, recipient, phone_tail_hash, phone_hash_key_id, 'accepted', at, at from ord
       on conflict do nothing
       returning id
     ), input as (
       select x.* from jsonb_to_recordset(?::jsonb) as x(i int, order_id text, mall_id text, at timestamptz, id text, line_id text, item_id bigint, sku_id text, kind text,
         quantity int, points_paid int, cash_paid_fen int, unit_points int, unit_cash_fen int, recharge_account jsonb, run_id text, workflow text, queue text, job_id text, payload jsonb)
       where x.order_id in (select id from o)
     ), l as (
       insert into order_line (id, order_id, mall_id, line_id, item_id, sku_id, kind, quantity, points_paid, cash_paid_fen, unit_points, unit_cash_fen, recharge_account, status, created_at, updated_at)
       select id, order_id, mall_id, line_id, item_id, sku_id, kind, quantity, points_paid, cash_paid_fen, unit_points, unit_cash_fen, recharge_account, 'pending', at, at from input order by i
     ), le as (
       insert into ledger_entry (mall_id, order_id, line_id, entry, units, points, fen, at)
       select mall_id, order_id, id, 'settlement', quantity, points_paid, cash_paid_fen, at from input order by i
     ), w as (
       ${START_RUNS}
     ), c as (
       insert into order_event_counter (order_id, last_seq) select id, 1 from o
     ), e as (
       insert into mall_event (id, mall_id, order_id, seq, type, data, created_at)
       select event_id, mall_id, id, 1, event_type, event_data, at from ord where id in (select id from o)
     ), j as (
       insert into job_outbox (queue, job_id, payload) select queue, job_id, payload from input order by i returning id, job_id
     )
     select o.id order_id, null::int i, null::text id from o
     union all
     select input.order_id, input.i, j.id::text from j join input using (job_id)`,
    [JSON.stringify(heads), JSON.stringify(lines)],
  );
  const inserted = new Set(rows.filter((r) => r.i === null).map((r) => r.order_id));
  const jobRowId = new Map(rows.filter((r) => r.i !== null).map((r) => [r.i as number, r.id as string]));
  let k = 0;
  return orders.map((r) => {
    const ids = r.lines.map(() => jobRowId.get(k++));
    return inserted.has(r.order.id) ? (ids as string[]) : null;
  });
}

/** An order as intake compares a repeated request with it. */
export interface ExistingOrder {
  id: string; mall_order_id: string; idempotency_key: string; request_hash: string; member_id: string; member_tier: string | null; status: string;
  created_at: string; updated_at: string;
}

/** A SKU's row in the mall's selection, as intake checks it. */
export interface SelectedPriceRow {
  sku_id: string; item_id: string; kind: 'physical' | 'virtual' | 'service'; points: number; cash_fen: number; sellable: boolean; stock_units: number | null;
  /** A virtual item's type and platform (the recharge account rules depend on them); null for others. */
  virtual_type: string | null; platform: string | null;
}

/** The mall's current rows of some SKUs, for one request. */
export interface PriceQuery { mallId: string; skuIds: string[] }

/** The mall's current rows of the SKUs of many requests in one round trip; results in request order. */
export async function selectedPrices(em: EntityManager, queries: PriceQuery[]): Promise<SelectedPriceRow[][]> {
  const rows = await executePrepared<{ n: number; prices: SelectedPriceRow[] }>(
    em,
    'intake-prices',
    `select q.n,
       (select coalesce(jsonb_agg(p), '[]') from (
          -- A virtual item's match key is v:<type>|<platform>|<face value> (matchKey, src/domain/catalog-keys.ts).
          select ci.sku_id, ci.id::text item_id, ci.kind, mi.points, mi.cash_fen, mi.sellable, mi.stock_units,
                 case when ci.match_key like 'v:%' then split_part(substr(ci.match_key, 3), '|', 1) end virtual_type, ci.attributes->>'platform' platform
          from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = q.mall_id and mi.selected
          where ci.sku_id in (select jsonb_array_elements_text(q.skus))) p) prices
     from jsonb_to_recordset(?::jsonb) as q(n int, mall_id text, skus jsonb)
     order by q.n`,
    [JSON.stringify(queries.map((q, n) => ({ n, mall_id: q.mallId, skus: q.skuIds })))],
  );
  return rows.map((r) => r.prices);
}

/** Orders of a mall under an idempotency key or a mall order id (a repeated or conflicting request). */
export async function ordersUnder(em: EntityManager, mallId: string, key: string, mallOrderId: string): Promise<ExistingOrder[]> {
  return executePrepared<ExistingOrder>(
    em,
    'intake-existing',
    `select id, mall_order_id, idempotency_key, request_hash, member_id, member_tier, status, created_at, updated_at
     from mall_order where mall_id = ? and (idempotency_key = ? or mall_order_id = ?)`,
    [mallId, key, mallOrderId],
  );
}
