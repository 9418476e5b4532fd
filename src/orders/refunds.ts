import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import { AppError } from '../domain/errors.ts';
import { canMoveLine } from '../domain/order-status.ts';
import { refundFor } from '../domain/refunds.ts';
import { lineEvent, loadLine, setLineStatus } from './line-store.ts';
import { insertRefund, insertSupplierRefund, lockLineRow, refundByRef, refundedUnits } from './refund-store.ts';

export { refundedUnits } from './refund-store.ts';

/**
 * Per-unit refunds of units a member already has, or was meant to have (after-sales tickets and
 * staff refunds; issue 19). Units that failed or were cancelled are refunded by the line's own move
 * (workflows/lines/failed.ts, orders/cancel.ts) and share this ledger.
 */

/** One refund asked for: `ref` names it (`ticket:<id>`, `staff:<request>`), so a repeat is told once. */
export interface UnitRefund {
  units: number;
  reason: string;
  ref: string;
  /** The ticket it settles, carried on `refund.required`. */
  ticketId?: string;
  /** Whether a refund of the line's last units moves it to `refunded` (default true). */
  closeLine?: boolean;
}

export interface RefundResult {
  /** false when `ref` was refunded before (nothing written now). */
  written: boolean;
  units: number;
  points: number;
  cashFen: number;
}

/** Refusal: more units than the line has left to refund. Permanent: trying again cannot help. */
export class RefundExceedsPaid extends AppError {
  constructor(lineId: string, asked: number, left: number) {
    super('not_eligible', `line ${lineId}: ${asked} units asked to be refunded, ${left} left that were paid and not refunded`, { retryable: false, details: { reason: 'quantity_exceeded', action: 'refund', asked, left } });
    this.name = 'RefundExceedsPaid';
  }
}

/**
 * Refunds `units` of a line, in the caller's transaction: the line's row is locked first (the lock
 * order of every line move), then the ledger decides. Never more than was paid: the units already
 * refunded plus these may not pass the line's quantity (RefundExceedsPaid), and the amounts come
 * from `refundFor`, cumulative by unit, so the line's refunds add up to exactly what was paid once
 * every unit is refunded. Told once: the ledger row carries `ref` (unique), and a ref already there
 * answers what it wrote then, writing nothing. Writes the ledger row, then `refund.required` with
 * the units, points, cash and ticket; a refund of the line's last units moves a line that may
 * (delivered, issued, shipped, returned) to `refunded`.
 */
export async function refundUnits(tx: EntityManager, clock: Clock, lineId: string, r: UnitRefund): Promise<RefundResult> {
  if (!Number.isInteger(r.units) || r.units < 1) throw new AppError('validation_failed', 'units to refund must be a whole number of at least 1', { retryable: false });
  await lockLineRow(tx, lineId);
  const before = await refundByRef(tx, r.ref);
  if (before) return { written: false, units: before.units, points: before.points, cashFen: before.fen };
  const line = await loadLine(tx, lineId);
  const done = await refundedUnits(tx, lineId);
  const left = line.quantity - done;
  if (r.units > left) throw new RefundExceedsPaid(line.lineId, r.units, left);
  const money = refundFor({ points: line.pointsPaid, cashFen: line.cashPaidFen }, line.quantity, done, r.units);
  await insertRefund(tx, clock, line, { units: r.units, points: money.points, fen: money.cashFen, reason: r.reason, ref: r.ref });
  const data = { points: money.points, cashFen: money.cashFen, units: r.units, reason: r.reason, ...(r.ticketId ? { ticketId: r.ticketId } : {}) };
  if (done + r.units === line.quantity && r.closeLine !== false && line.status !== 'refunded' && canMoveLine(line.status, 'refunded')) {
    await setLineStatus(tx, clock, line, { status: 'refunded' }, [{ type: 'refund.required', data }]);
  } else {
    await lineEvent(tx, clock, line, 'refund.required', data);
  }
  return { written: true, units: r.units, points: money.points, cashFen: money.cashFen };
}

/** Records what a supplier gives the hub back for returned or claimed units (positive fen), once per `ref`. */
export async function recordSupplierRefund(tx: EntityManager, clock: Clock, lineId: string, e: { supplierId: string; units: number; fen: number; ref: string; reason: string }): Promise<boolean> {
  return insertSupplierRefund(tx, clock, await loadLine(tx, lineId), e);
}
