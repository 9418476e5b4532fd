import type { EntityManager } from '@mikro-orm/postgresql';
import type { LineStatus, OrderStatus } from '../domain/order-status.ts';
import type { ItemKind } from '../domain/supplier-shapes.ts';
import type { Sealed } from '../security/crypto-box.ts';

/**
 * The SQL of the staff's order views (issue 19, admin part: GET /admin/orders and its detail, the
 * order actions): orders of any mall found by what a member or a supplier quotes, and what the
 * order's timeline reads of its lines, attempts and ledger.
 */

const all = <T extends object>(em: EntityManager, sql: string, params: unknown[]) => em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

/** An order as staff read it (the recipient still sealed). */
export interface StaffOrderRow {
  id: string;
  mall_id: string;
  mall_order_id: string;
  member_id: string;
  member_tier: string | null;
  status: OrderStatus;
  recipient: Sealed | null;
  created_at: Date;
  updated_at: Date;
}

const ORDER_COLUMNS = 'o.id, o.mall_id, o.mall_order_id, o.member_id, o.member_tier, o.status, o.recipient, o.created_at, o.updated_at';

/** What staff search orders by; every key given must match. `after` is the last id of the previous page (newest first). */
export interface StaffOrderSearch {
  mallId?: string | undefined;
  mallOrderId?: string | undefined;
  /** Keyed hashes of the phone's last four digits, one per configured key (rows carry the key id they were hashed with). */
  phoneTailHashes?: readonly string[] | undefined;
  trackingNo?: string | undefined;
  supplierOrderId?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/**
 * Orders of any mall (or of `mallId`) matching every key given, newest id first, `limit + 1` of
 * them (the extra one tells a next page). Each key reaches an index: a tracking number through
 * `shipment_tracking_no_idx`, a supplier order id through `line_attempt_supplier_order_id_idx`; a
 * mall order id or a phone tail through the `(mall_id, …)` indexes of mall_order, probed once per
 * mall (a lateral join over `mall`) when no mall is named.
 */
export async function searchStaffOrders(em: EntityManager, q: StaffOrderSearch): Promise<StaffOrderRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...p: unknown[]) => {
    where.push(sql);
    params.push(...p);
  };
  if (q.mallOrderId !== undefined) add('o.mall_order_id = ?', q.mallOrderId);
  if (q.phoneTailHashes !== undefined) add('o.phone_tail_hash in (select jsonb_array_elements_text(?::jsonb))', JSON.stringify(q.phoneTailHashes));
  if (q.trackingNo !== undefined) add('o.id in (select l.order_id from shipment s join order_line l on l.id = s.line_id where s.tracking_no = ?)', q.trackingNo);
  if (q.supplierOrderId !== undefined) add('o.id in (select l.order_id from line_attempt a join order_line l on l.id = a.line_id where a.supplier_order_id = ?)', q.supplierOrderId);
  if (q.after !== undefined) add('o.id < ?', q.after);
  const cond = where.length ? where.join(' and ') : 'true';
  const limit = q.limit + 1;
  if (q.mallId !== undefined) {
    return all<StaffOrderRow>(em, `select ${ORDER_COLUMNS} from mall_order o where o.mall_id = ? and ${cond} order by o.id desc limit ?`, [q.mallId, ...params, limit]);
  }
  if (q.mallOrderId !== undefined || q.phoneTailHashes !== undefined) {
    return all<StaffOrderRow>(
      em,
      `select o.* from mall m cross join lateral (
         select ${ORDER_COLUMNS} from mall_order o where o.mall_id = m.id and ${cond} order by o.id desc limit ?
       ) o order by o.id desc limit ?`,
      [...params, limit, limit],
    );
  }
  return all<StaffOrderRow>(em, `select ${ORDER_COLUMNS} from mall_order o where ${cond} order by o.id desc limit ?`, [...params, limit]);
}

/** Any mall's order, for staff (undefined when there is none). */
export async function findOrderForStaff(em: EntityManager, orderId: string): Promise<StaffOrderRow | undefined> {
  const [row] = await all<StaffOrderRow>(em, `select ${ORDER_COLUMNS} from mall_order o where o.id = ?`, [orderId]);
  return row;
}

/** A line as staff read it (the recharge account still sealed). */
export interface StaffLineRow {
  id: string;
  order_id: string;
  line_id: string;
  sku_id: string;
  kind: ItemKind;
  quantity: number;
  status: LineStatus;
  points_paid: number;
  cash_paid_fen: number;
  recharge_account: Sealed | null;
  created_at: Date;
}

/** The lines of some orders, by order then the mall's line id (byte-wise, as every view lists them). */
export async function linesForStaff(em: EntityManager, orderIds: readonly string[]): Promise<StaffLineRow[]> {
  if (!orderIds.length) return [];
  return all<StaffLineRow>(
    em,
    `select id, order_id, line_id, sku_id, kind, quantity, status, points_paid, cash_paid_fen, recharge_account, created_at
     from order_line where order_id in (select jsonb_array_elements_text(?::jsonb)) order by order_id, line_id collate "C"`,
    [JSON.stringify(orderIds)],
  );
}

/** One try of a line at one source, as stored. */
export interface AttemptRow {
  id: string;
  line_id: string;
  seq: number;
  supplier_id: string;
  supplier_sku_id: string;
  reference: string;
  status: string;
  supplier_order_id: string | null;
  cost_fen: number | null;
  freight_fen: number;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Every attempt of some lines, in order. */
export async function attemptsOfLines(em: EntityManager, lineIds: readonly string[]): Promise<AttemptRow[]> {
  if (!lineIds.length) return [];
  return all<AttemptRow>(
    em,
    `select id, line_id, seq, supplier_id, supplier_sku_id, reference, status, supplier_order_id, cost_fen, freight_fen, failure_reason, created_at, updated_at
     from line_attempt where line_id in (select jsonb_array_elements_text(?::jsonb)) order by line_id, seq`,
    [JSON.stringify(lineIds)],
  );
}

/** A money row of the ledger, as the timeline shows it. */
export interface LedgerRow {
  id: string;
  line_id: string;
  entry: 'supplier_cost' | 'freight' | 'refund' | 'supplier_refund';
  units: number;
  points: number;
  fen: number;
  supplier_id: string | null;
  attempt_id: string | null;
  reason: string | null;
  ref: string | null;
  at: Date;
}

/** The ledger rows of some lines but their settlement: costs, freight, refunds to malls and from suppliers, in order. */
export async function ledgerOfLines(em: EntityManager, lineIds: readonly string[]): Promise<LedgerRow[]> {
  if (!lineIds.length) return [];
  return all<LedgerRow>(
    em,
    `select id::text, line_id, entry, units, points, fen, supplier_id, attempt_id, reason, ref, at from ledger_entry
     where line_id in (select jsonb_array_elements_text(?::jsonb)) and entry <> 'settlement' order by id`,
    [JSON.stringify(lineIds)],
  );
}

/** The line a refund `ref` was written for (undefined: no refund under it yet). */
export async function lineOfRefundRef(em: EntityManager, ref: string): Promise<string | undefined> {
  const [row] = await all<{ line_id: string }>(em, "select line_id from ledger_entry where ref = ? and entry = 'refund'", [ref]);
  return row?.line_id;
}

/** Locks a line's row (the first lock of every line move), in the caller's transaction. */
export async function lockLineRow(tx: EntityManager, lineId: string): Promise<void> {
  await all(tx, 'select id from order_line where id = ? for update', [lineId]);
}
