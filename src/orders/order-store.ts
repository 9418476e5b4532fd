import type { EntityManager } from '@mikro-orm/postgresql';
import type { LineStatus, OrderStatus } from '../domain/order-status.ts';
import { shipmentsView } from '../supplier-events/timeline-store.ts';

/** An order as the mall reads it (personal data stays sealed: the API never returns it). */
export interface OrderView {
  orderId: string;
  mallOrderId: string;
  status: OrderStatus;
  member: { id: string; tier: string | null };
  createdAt: string;
  updatedAt: string;
  lines: {
    lineId: string;
    skuId: string;
    kind: string;
    quantity: number;
    status: LineStatus;
    quantityFulfilled: number;
    quantityFailed: number;
    quantityCancelled: number;
    pointsPaid: number;
    cashPaidFen: number;
    source: string | null;
    failureReason: string | null;
    shipments: { carrier: string; trackingNo: string; status: string; events: { status: string; at: string; location?: string; description: string }[] }[];
    issuance: { status: string; vouchers: { code: string; expiresAt: string | null }[] } | null;
    refunds: { points: number; cashFen: number; units: number; reason: string | null; at: string }[];
  }[];
}

interface OrderRow {
  id: string; mall_id: string; mall_order_id: string; idempotency_key: string; request_hash: string; member_id: string; member_tier: string | null; status: OrderStatus;
  created_at: Date; updated_at: Date;
}

/** What orderView needs of an order row (timestamps as Date, or as ISO text out of JSON). */
type ViewedOrder = Pick<OrderRow, 'id' | 'mall_order_id' | 'member_id' | 'member_tier'> & { status: string; created_at: Date | string; updated_at: Date | string };

/** Lines in the order every view lists them: by the mall's line id, byte-wise (as `collate "C"`). */
export const byLineId = (a: { lineId: string }, b: { lineId: string }): number => (a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0);
interface LineRow {
  line_id: string; id: string; sku_id: string; kind: string; quantity: number; status: LineStatus; qty_fulfilled: number; qty_failed: number; qty_cancelled: number;
  points_paid: number; cash_paid_fen: number; source_supplier_id: string | null; failure_reason: string | null;
}

/** The order a mall created under an idempotency key, or under a mall order id. */
export async function findOrder(em: EntityManager, mallId: string, by: { idempotencyKey: string } | { mallOrderId: string } | { orderId: string }): Promise<OrderRow | null> {
  const [column, value] = 'idempotencyKey' in by ? ['idempotency_key', by.idempotencyKey] : 'mallOrderId' in by ? ['mall_order_id', by.mallOrderId] : ['id', by.orderId];
  const rows = await em.getConnection().execute<OrderRow[]>(
    `select id, mall_id, mall_order_id, idempotency_key, request_hash, member_id, member_tier, status, created_at, updated_at from mall_order where mall_id = ? and ${column} = ?`,
    [mallId, value],
    'all',
    em.getTransactionContext(),
  );
  return rows[0] ?? null;
}

/** The mall's view of one of its orders, with its lines, vouchers (masked) and refunds. */
export async function orderView(em: EntityManager, order: ViewedOrder): Promise<OrderView> {
  return (await orderViews(em, [order]))[0] as OrderView;
}

/**
 * The mall's views of several orders (a page of a list), in the order given: four statements
 * whatever the number of orders (lines, refunds, vouchers, shipments), each reading by line.
 */
export async function orderViews(em: EntityManager, orders: readonly ViewedOrder[]): Promise<OrderView[]> {
  if (orders.length === 0) return [];
  const conn = em.getConnection();
  const ctx = em.getTransactionContext();
  const orderIds = JSON.stringify(orders.map((o) => o.id));
  const lines = await conn.execute<(LineRow & { order_id: string })[]>(
    `select order_id, id, line_id, sku_id, kind, quantity, status, qty_fulfilled, qty_failed, qty_cancelled, points_paid, cash_paid_fen, source_supplier_id, failure_reason
     from order_line where order_id in (select jsonb_array_elements_text(?::jsonb)) order by order_id, line_id collate "C"`,
    [orderIds],
    'all',
    ctx,
  );
  const lineIds = JSON.stringify(lines.map((l) => l.id));
  // By line: ledger_entry and line_voucher are indexed by line.
  const refunds = await conn.execute<{ line_id: string; points: number; fen: number; units: number; reason: string | null; at: Date }[]>(
    "select line_id, -points as points, -fen as fen, units, reason, at from ledger_entry where line_id in (select jsonb_array_elements_text(?::jsonb)) and entry = 'refund' order by id",
    [lineIds],
    'all',
    ctx,
  );
  const vouchers = await conn.execute<{ line_id: string; masked: string; expires_at: Date | null }[]>(
    'select line_id, masked, expires_at from line_voucher where line_id in (select jsonb_array_elements_text(?::jsonb)) order by created_at, id',
    [lineIds],
    'all',
    ctx,
  );
  const shipments = await shipmentsView(em, orders.map((o) => o.id));
  const linesOf = groupBy(lines, (l) => l.order_id);
  const refundsOf = groupBy(refunds, (r) => r.line_id);
  const vouchersOf = groupBy(vouchers, (v) => v.line_id);
  return orders.map((order) => ({
    orderId: order.id,
    mallOrderId: order.mall_order_id,
    status: order.status as OrderStatus,
    member: { id: order.member_id, tier: order.member_tier },
    createdAt: new Date(order.created_at).toISOString(),
    updatedAt: new Date(order.updated_at).toISOString(),
    lines: (linesOf.get(order.id) ?? []).map((l) => ({
      lineId: l.line_id, skuId: l.sku_id, kind: l.kind, quantity: l.quantity, status: l.status,
      quantityFulfilled: l.qty_fulfilled, quantityFailed: l.qty_failed, quantityCancelled: l.qty_cancelled,
      pointsPaid: l.points_paid, cashPaidFen: l.cash_paid_fen, source: l.source_supplier_id, failureReason: l.failure_reason,
      // The logistics timeline: parcels with a waybill, events in time order.
      shipments: shipments.get(l.id) ?? [],
      issuance: l.kind === 'physical' ? null : {
        status: l.status,
        vouchers: (vouchersOf.get(l.id) ?? []).map((v) => ({ code: v.masked, expiresAt: v.expires_at ? new Date(v.expires_at).toISOString() : null })),
      },
      refunds: (refundsOf.get(l.id) ?? []).map((r) => ({ points: r.points, cashFen: r.fen, units: r.units, reason: r.reason, at: new Date(r.at).toISOString() })),
    })),
  }));
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Which of a mall's orders a list shows. `createdFrom` and `updatedSince` are inclusive, `createdTo` exclusive. */
export interface OrderFilter {
  mallOrderId?: string | undefined;
  statuses?: readonly OrderStatus[] | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  updatedSince?: string | undefined;
}

/**
 * A position in a list of orders: the list's sort key of the last order seen. Lists are ordered by
 * `(created_at, id)`, or by `(updated_at, id)` when `updatedSince` is given; `at` is that timestamp
 * as PostgreSQL holds it (microseconds), so the next page starts exactly after it.
 */
export interface OrderPosition {
  by: 'created' | 'updated';
  at: string;
  id: string;
}

/** An order of a list, with its position. */
export type ListedOrder = ViewedOrder & { position: OrderPosition };

/**
 * A page of a mall's orders (up to `limit`, one more to tell whether a next page exists), oldest
 * first by the list's sort key (see OrderPosition), after `after`. Served by the indexes
 * (mall_id, created_at, id) and (mall_id, updated_at, id).
 */
export async function listOrders(em: EntityManager, mallId: string, filter: OrderFilter, after: OrderPosition | null, limit: number): Promise<ListedOrder[]> {
  const by = filter.updatedSince !== undefined ? 'updated' : 'created';
  // One of two fixed column names, never input.
  const key = by === 'updated' ? 'updated_at' : 'created_at';
  const where = ['mall_id = ?'];
  const params: unknown[] = [mallId];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (filter.mallOrderId !== undefined) add('mall_order_id = ?', filter.mallOrderId);
  if (filter.statuses?.length) add('status = any(?::text[])', `{${filter.statuses.join(',')}}`);
  if (filter.createdFrom !== undefined) add('created_at >= ?::timestamptz', filter.createdFrom);
  if (filter.createdTo !== undefined) add('created_at < ?::timestamptz', filter.createdTo);
  if (filter.updatedSince !== undefined) add('updated_at >= ?::timestamptz', filter.updatedSince);
  if (after) add(`(${key}, id) > (?::timestamptz, ?)`, after.at, after.id);
  const rows = await em.getConnection().execute<(OrderRow & { pos: string })[]>(
    `select id, mall_id, mall_order_id, idempotency_key, request_hash, member_id, member_tier, status, created_at, updated_at,
            to_char(${key} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') pos
     from mall_order where ${where.join(' and ')} order by ${key}, id limit ?`,
    [...params, limit + 1],
    'all',
    em.getTransactionContext(),
  );
  return rows.map((r) => ({ ...r, position: { by, at: r.pos, id: r.id } }));
}
