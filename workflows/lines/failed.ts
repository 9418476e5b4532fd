import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../src/domain/clock.ts';
import { canMoveLine } from '../../src/domain/order-status.ts';
import { refundFor } from '../../src/domain/refunds.ts';
import { addLedger, loadLine, setLineStatus } from '../../src/orders/line-store.ts';

/**
 * Records a line as failed: the units not fulfilled or cancelled are failed, a refund entry goes
 * to the ledger and the mall is told with `line.failed` and `refund.required` (points and cash to
 * give back to the member). Guarded: a line already failed (a second run of the caller after a
 * crash) or past failing (delivered, cancelled) is left as it is, so nothing is refunded twice.
 */
export async function recordFailed(tx: EntityManager, clock: Clock, lineId: string, reason: string): Promise<void> {
  const current = await loadLine(tx, lineId);
  if (current.status === 'failed' || !canMoveLine(current.status, 'failed')) return;
  const missing = current.quantity - current.qtyFulfilled - current.qtyCancelled - current.qtyFailed;
  const refund = refundFor({ points: current.pointsPaid, cashFen: current.cashPaidFen }, current.quantity, current.qtyFailed + current.qtyCancelled, missing);
  // The refund first: the order's final event, written by the move when it ends the order, sums it.
  await addLedger(tx, clock, current, { entry: 'refund', units: missing, points: -refund.points, fen: -refund.cashFen, reason });
  await setLineStatus(tx, clock, current, { status: 'failed', qtyFailed: current.qtyFailed + missing, failureReason: reason }, [
    { type: 'line.failed', data: { reason, quantityFailed: missing } },
    { type: 'refund.required', data: { points: refund.points, cashFen: refund.cashFen, units: missing, reason } },
  ]);
}
