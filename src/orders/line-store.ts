import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';
import { type LineStatus, orderMove, type OrderStatus, orderStatusOf, statusesMovingTo } from '../domain/order-status.ts';
import { AppError } from '../domain/errors.ts';
import { type FinalOrderStatus, type LineEventInput, type LineEventPayload, type LineEventType, ORDER_FINAL_EVENTS, type OrderFinalData } from '../mall-webhooks/event-schemas.ts';
import { appendMallEvent } from '../mall-webhooks/outbox.ts';

/** What fulfilment reads of a line (sealed fields stay sealed until a step opens them). */
export interface LineRecord {
  id: string;
  orderId: string;
  mallId: string;
  mallOrderId: string;
  lineId: string;
  itemId: string;
  skuId: string;
  kind: 'physical' | 'virtual' | 'service';
  quantity: number;
  pointsPaid: number;
  cashPaidFen: number;
  status: LineStatus;
  qtyFulfilled: number;
  qtyFailed: number;
  qtyCancelled: number;
  rechargeAccount: { keyId: string; data: string } | null;
  recipient: { keyId: string; data: string } | null;
}

/** One line with its order's mall and sealed recipient. */
export async function loadLine(em: EntityManager, id: string): Promise<LineRecord> {
  const rows = await em.getConnection().execute<Record<string, any>[]>(
    `select l.id, l.order_id, l.mall_id, o.mall_order_id, l.line_id, l.item_id, l.sku_id, l.kind, l.quantity, l.points_paid, l.cash_paid_fen, l.status,
            l.qty_fulfilled, l.qty_failed, l.qty_cancelled, l.recharge_account, o.recipient
     from order_line l join mall_order o on o.id = l.order_id where l.id = ?`,
    [id],
    'all',
    em.getTransactionContext(),
  );
  const r = rows[0];
  if (!r) throw new Error(`order line ${id} not found`);
  return {
    id: r.id, orderId: r.order_id, mallId: r.mall_id, mallOrderId: r.mall_order_id, lineId: r.line_id, itemId: String(r.item_id), skuId: r.sku_id, kind: r.kind,
    quantity: r.quantity, pointsPaid: r.points_paid, cashPaidFen: r.cash_paid_fen, status: r.status, qtyFulfilled: r.qty_fulfilled, qtyFailed: r.qty_failed,
    qtyCancelled: r.qty_cancelled, rechargeAccount: r.recharge_account, recipient: r.recipient,
  };
}

/** A source an item can be fulfilled from, as last synced. */
export interface SourceOffer {
  supplierId: string;
  supplierAccountId: string;
  supplierSkuId: string;
  costFen: number;
  stock: number | null;
}

/** The item's live offers (listed, on shelf), cheapest synced cost first. */
export async function sourceOffers(em: EntityManager, itemId: string): Promise<SourceOffer[]> {
  const rows = await em.getConnection().execute<{ supplier_id: string; supplier_account_id: string; supplier_sku_id: string; cost_fen: number; stock: number | null }[]>(
    'select supplier_id, supplier_account_id, supplier_sku_id, cost_fen, stock from catalog_offer where item_id = ? and removed_at is null and on_shelf order by cost_fen, supplier_id',
    [itemId],
  );
  return rows.map((r) => ({ supplierId: r.supplier_id, supplierAccountId: r.supplier_account_id, supplierSkuId: r.supplier_sku_id, costFen: r.cost_fen, stock: r.stock }));
}

/** Creates the line's next attempt at a source; its supplier reference is derived once, here. */
export async function createAttempt(tx: EntityManager, clock: Clock, line: { id: string; quantity: number }, seq: number, source: SourceOffer): Promise<{ attemptId: string; reference: string }> {
  const attemptId = newId('att');
  // Derived from the line and the attempt number: a reroute or reship gets a new one, a retry never does.
  const reference = `${line.id.slice(4)}a${seq}`;
  await tx.getConnection().execute(
    `insert into line_attempt (id, line_id, seq, supplier_id, supplier_account_id, supplier_sku_id, reference, status, quantity, cost_fen, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) on conflict (line_id, seq) do nothing`,
    [attemptId, line.id, seq, source.supplierId, source.supplierAccountId, source.supplierSkuId, reference, line.quantity, source.costFen, clock.now(), clock.now()],
    'run',
    tx.getTransactionContext(),
  );
  const [row] = await tx.getConnection().execute<{ id: string; reference: string }[]>('select id, reference from line_attempt where line_id = ? and seq = ?', [line.id, seq], 'all', tx.getTransactionContext());
  return { attemptId: row?.id ?? attemptId, reference: row?.reference ?? reference };
}

/** Updates an attempt after a supplier answered. */
export async function updateAttempt(tx: EntityManager, clock: Clock, attemptId: string, change: { status: string; supplierOrderId?: string | null; costFen?: number | null; freightFen?: number; failureReason?: string | null }): Promise<void> {
  await tx.getConnection().execute(
    `update line_attempt set status = ?, supplier_order_id = coalesce(?, supplier_order_id), cost_fen = coalesce(?, cost_fen),
       freight_fen = coalesce(?, freight_fen), failure_reason = ?, updated_at = ? where id = ?`,
    [change.status, change.supplierOrderId ?? null, change.costFen ?? null, change.freightFen ?? null, change.failureReason ?? null, clock.now(), attemptId],
    'run',
    tx.getTransactionContext(),
  );
}

/** Which order and mall line each of these line ids is (for lists that show a line's run). */
export async function lineRefs(em: EntityManager, ids: readonly string[]): Promise<Map<string, { orderId: string; lineId: string }>> {
  if (!ids.length) return new Map();
  const rows = await em.getConnection().execute<{ id: string; order_id: string; line_id: string }[]>('select id, order_id, line_id from order_line where id in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify(ids)]);
  return new Map(rows.map((r) => [r.id, { orderId: r.order_id, lineId: r.line_id }]));
}

/** The lines of an order (their hub id and the mall's line id), by the mall's line id. */
export async function linesOfOrder(em: EntityManager, orderId: string): Promise<{ id: string; line_id: string }[]> {
  return em.getConnection().execute<{ id: string; line_id: string }[]>('select id, line_id from order_line where order_id = ? order by line_id', [orderId]);
}

/** The hub's id of a line a mall names by its order and line id; undefined when that mall has no such line. */
export async function findMallLine(em: EntityManager, mallId: string, orderId: string, lineId: string): Promise<{ id: string } | undefined> {
  const [line] = await em.getConnection().execute<{ id: string }[]>('select id from order_line where order_id = ? and mall_id = ? and line_id = ?', [orderId, mallId, lineId]);
  return line;
}

/** Puts the supplier's order id on an attempt that has none yet (found by its reference after a lost answer). */
export async function setAttemptOrderId(tx: EntityManager, attemptId: string, supplierOrderId: string): Promise<void> {
  await tx.getConnection().execute('update line_attempt set supplier_order_id = ? where id = ? and supplier_order_id is null', [supplierOrderId, attemptId], 'run', tx.getTransactionContext());
}

/** An attempt's status (null when there is none), to guard a compensation. */
export async function attemptStatus(em: EntityManager, attemptId: string): Promise<string | null> {
  const [row] = await em.getConnection().execute<{ status: string }[]>('select status from line_attempt where id = ?', [attemptId], 'all', em.getTransactionContext());
  return row?.status ?? null;
}

/** Voids the line's attempt number `seq` if it was never sent to its supplier (still pending): nothing to undo there. */
export async function voidUnsentAttempt(tx: EntityManager, clock: Clock, lineId: string, seq: number, reason: string): Promise<boolean> {
  const res = await tx.getConnection().execute(
    "update line_attempt set status = 'cancelled', failure_reason = ?, updated_at = ? where line_id = ? and seq = ? and status = 'pending'",
    [reason, clock.now(), lineId, seq],
    'run',
    tx.getTransactionContext(),
  );
  return Number((res as { affectedRows?: number }).affectedRows ?? 0) > 0;
}

/**
 * A move the line state machine forbids (a line out of a terminal state, or backwards): a bug or
 * an event that should have been ignored. Permanent: retrying cannot make it allowed.
 */
export class IllegalLineTransition extends AppError {
  constructor(lineId: string, from: LineStatus | null, to: LineStatus) {
    super('conflict', `order line ${lineId} cannot move from ${from ?? 'nowhere (no such line)'} to ${to}`, { retryable: false, details: { lineId, from, to } });
    this.name = 'IllegalLineTransition';
  }
}

/** An order's status before and after a line move (the same when the move did not change it). */
export interface OrderMove {
  from: OrderStatus;
  to: OrderStatus;
}

/**
 * Moves a line to a status (with its counts and source), recomputes its order's status, and
 * appends the events that report it, in the caller's transaction and in this order: `report`
 * (the line's own events, e.g. `line.delivered`), then, when the order's status has just become a
 * final one (completed, partially_failed, failed, cancelled), the order's final event
 * (`order.completed`, …) with every line's final status and counts. So the final event is the
 * order's last and is written exactly once per change of status: a recomputation that leaves the
 * status as it was writes none, and the order row lock (below) makes the recomputations of one
 * order take turns. A later after-sales move (completed → partially_failed) writes the final event
 * of the new status. Money first: a caller writes the line's ledger rows (a refund) before the move,
 * so the final event's refund sums include them.
 * Refuses, with IllegalLineTransition, a move LINE_TRANSITIONS does not allow.
 *
 * Locks, in the one order every transaction moving a line takes them: the line's own rows (its
 * attempt, the line: callers may hold them already, as the timeline's `lockLine` does), then the
 * order row, then the order's event counter (appendMallEvent, after this). The line's siblings are
 * read, never locked: locking them all (as this once did) made two lines of one order moving at
 * once deadlock, each holding its own line and waiting for the other's. The order row lock is
 * what serialises the recomputations of one order: the siblings are read after it is granted, so
 * (READ COMMITTED: each statement sees what was committed before it began) every move committed
 * before it is seen, and a move not yet committed still has this lock to wait for and recomputes
 * after us. So the last recomputation of an order sees all its lines. One line per transaction:
 * holding the order, a transaction must not go on to another line's row (that line's mover may
 * hold it while it waits for the order).
 */
export async function setLineStatus(
  tx: EntityManager,
  clock: Clock,
  line: Pick<LineRecord, 'id' | 'orderId'>,
  change: { status: LineStatus; source?: string; qtyFulfilled?: number; qtyFailed?: number; qtyCancelled?: number; failureReason?: string | null },
  report: readonly LineEventInput[] = [],
): Promise<OrderMove> {
  const conn = tx.getConnection();
  const ctx = tx.getTransactionContext();
  // Only from a status the state machine allows (src/domain/order-status.ts), in the same statement
  // (the statuses as an array literal: the driver would spread a JS array into a list).
  const moved = await conn.execute<{ line_id: string }[]>(
    `update order_line set status = ?, source_supplier_id = coalesce(?, source_supplier_id), qty_fulfilled = coalesce(?, qty_fulfilled),
       qty_failed = coalesce(?, qty_failed), qty_cancelled = coalesce(?, qty_cancelled), failure_reason = coalesce(?, failure_reason), updated_at = ?
     where id = ? and status = any(?::text[]) returning line_id`,
    [change.status, change.source ?? null, change.qtyFulfilled ?? null, change.qtyFailed ?? null, change.qtyCancelled ?? null, change.failureReason ?? null, clock.now(), line.id, `{${statusesMovingTo(change.status).join(',')}}`],
    'all',
    ctx,
  );
  const mallLineId = moved[0]?.line_id;
  if (mallLineId === undefined) {
    const [now] = await conn.execute<{ status: LineStatus }[]>('select status from order_line where id = ?', [line.id], 'all', ctx);
    throw new IllegalLineTransition(line.id, now?.status ?? null, change.status);
  }
  // The lock the update below takes anyway, taken before the read: `no key update` does not block
  // rows being inserted that reference the order (they take a key-share lock on it).
  const [order] = await conn.execute<{ status: OrderStatus; mall_id: string; mall_order_id: string }[]>(
    'select status, mall_id, mall_order_id from mall_order where id = ? for no key update',
    [line.orderId],
    'all',
    ctx,
  );
  const lines = await conn.execute<SiblingRow[]>(
    `select id, line_id, sku_id, kind, status, quantity, qty_fulfilled, qty_failed, qty_cancelled, points_paid, cash_paid_fen
     from order_line where order_id = ? order by line_id collate "C"`,
    [line.orderId],
    'all',
    ctx,
  );
  // The order state machine: the status derived from the lines must be a move the order may make.
  const from = order?.status ?? 'accepted';
  const to = orderMove(from, orderStatusOf(lines.map((s) => s.status)), line.orderId);
  await conn.execute('update mall_order set status = ?, updated_at = ? where id = ?', [to, clock.now(), line.orderId], 'run', ctx);
  if (!order) return { from, to };
  const ids = { mallId: order.mall_id, orderId: line.orderId, mallOrderId: order.mall_order_id, lineId: mallLineId };
  for (const e of report) await appendLineEvent(tx, clock, ids, e);
  if (to !== from && isFinal(to)) {
    await appendMallEvent(tx, clock, { mallId: order.mall_id, orderId: line.orderId, type: ORDER_FINAL_EVENTS[to], data: { orderId: line.orderId, mallOrderId: order.mall_order_id, ...(await finalData(tx, to, from, lines)) } });
  }
  return { from, to };
}

interface SiblingRow {
  id: string; line_id: string; sku_id: string; kind: 'physical' | 'virtual' | 'service'; status: LineStatus; quantity: number;
  qty_fulfilled: number; qty_failed: number; qty_cancelled: number; points_paid: number; cash_paid_fen: number;
}

const isFinal = (s: OrderStatus): s is FinalOrderStatus => s in ORDER_FINAL_EVENTS;

/** The data of an order's final event: every line as it ends, the refunds the ledger holds for it, and the sums. */
async function finalData(tx: EntityManager, status: FinalOrderStatus, previousStatus: OrderStatus, rows: readonly SiblingRow[]): Promise<Omit<OrderFinalData, 'orderId' | 'mallOrderId'>> {
  // By line (ledger_entry is indexed by line): what the mall has been told to give back so far.
  const refunds = await tx.getConnection().execute<{ line_id: string; points: string; fen: string }[]>(
    `select line_id, coalesce(sum(-points), 0)::text points, coalesce(sum(-fen), 0)::text fen from ledger_entry
     where line_id in (select jsonb_array_elements_text(?::jsonb)) and entry = 'refund' group by line_id`,
    [JSON.stringify(rows.map((r) => r.id))],
    'all',
    tx.getTransactionContext(),
  );
  const refundOf = new Map(refunds.map((r) => [r.line_id, { points: Number(r.points), fen: Number(r.fen) }]));
  const lines = rows.map((r) => ({
    lineId: r.line_id, skuId: r.sku_id, kind: r.kind, status: r.status, quantity: r.quantity,
    quantityFulfilled: r.qty_fulfilled, quantityFailed: r.qty_failed, quantityCancelled: r.qty_cancelled,
    pointsPaid: r.points_paid, cashPaidFen: r.cash_paid_fen,
    refundedPoints: refundOf.get(r.id)?.points ?? 0, refundedCashFen: refundOf.get(r.id)?.fen ?? 0,
  }));
  type Summed = 'quantity' | 'quantityFulfilled' | 'quantityFailed' | 'quantityCancelled' | 'pointsPaid' | 'cashPaidFen' | 'refundedPoints' | 'refundedCashFen';
  const total = (k: Summed) => lines.reduce((n, l) => n + l[k], 0);
  return {
    status,
    previousStatus,
    lines,
    totals: {
      lines: lines.length, quantity: total('quantity'), quantityFulfilled: total('quantityFulfilled'), quantityFailed: total('quantityFailed'),
      quantityCancelled: total('quantityCancelled'), pointsPaid: total('pointsPaid'), cashPaidFen: total('cashPaidFen'),
      refundedPoints: total('refundedPoints'), refundedCashFen: total('refundedCashFen'),
    },
  };
}

/** Appends a money row to the ledger (settlement, supplier cost, freight, refund). */
export async function addLedger(
  tx: EntityManager,
  clock: Clock,
  line: Pick<LineRecord, 'id' | 'orderId' | 'mallId'>,
  entry: { entry: 'supplier_cost' | 'freight' | 'refund'; units: number; points?: number; fen?: number; supplierId?: string; supplierAccountId?: string; attemptId?: string; reason?: string },
): Promise<void> {
  await tx.getConnection().execute(
    `insert into ledger_entry (mall_id, order_id, line_id, entry, units, points, fen, supplier_id, supplier_account_id, attempt_id, reason, at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [line.mallId, line.orderId, line.id, entry.entry, entry.units, entry.points ?? 0, entry.fen ?? 0, entry.supplierId ?? null, entry.supplierAccountId ?? null,
      entry.attemptId ?? null, entry.reason ?? null, clock.now()],
    'run',
    tx.getTransactionContext(),
  );
}

/** Whether the attempt's supplier cost is in the ledger already (booked when the supplier accepted it), so an issuance does not book it twice. */
export async function supplierCostBooked(tx: EntityManager, attemptId: string): Promise<boolean> {
  const [booked] = await tx.getConnection().execute<{ n: number }[]>("select count(*)::int n from ledger_entry where attempt_id = ? and entry = 'supplier_cost'", [attemptId], 'all', tx.getTransactionContext());
  return Boolean(booked?.n);
}

/** The ids every line event carries. */
type LineIds = Pick<LineRecord, 'mallId' | 'orderId' | 'mallOrderId' | 'lineId'>;

function appendLineEvent(tx: EntityManager, clock: Clock, line: LineIds, e: LineEventInput) {
  return appendMallEvent(tx, clock, { mallId: line.mallId, orderId: line.orderId, type: e.type, data: { orderId: line.orderId, mallOrderId: line.mallOrderId, lineId: line.lineId, ...e.data } });
}

/**
 * A mall event about a line, with the ids every line event carries, typed by its schema
 * (src/mall-webhooks/event-schemas.ts). An event that reports a status move goes to setLineStatus
 * instead (its `report`), so it comes before the order's final event.
 */
export function lineEvent<T extends LineEventType>(tx: EntityManager, clock: Clock, line: LineIds, type: T, data: LineEventPayload<T>) {
  return appendLineEvent(tx, clock, line, { type, data } as LineEventInput);
}
