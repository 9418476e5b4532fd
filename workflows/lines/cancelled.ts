import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../src/domain/clock.ts';
import { refundFor } from '../../src/domain/refunds.ts';
import { addLedger, loadLine, setLineStatus, updateAttempt } from '../../src/orders/line-store.ts';

/**
 * Records a line as cancelled at the mall's request: the units not yet fulfilled, failed or
 * cancelled are refunded in the ledger, the attempt (if any) is marked cancelled, and the mall is
 * told with `line.cancelled`. Guarded: a line already cancelled is left as it is. The caller has
 * made sure no supplier holds an order for the line any more.
 */
export async function recordCancelled(
  tx: EntityManager,
  clock: Clock,
  lineId: string,
  cancel: { reason: string; attemptId?: string | undefined; supplierOrderId?: string | undefined },
): Promise<void> {
  const current = await loadLine(tx, lineId);
  if (current.status === 'cancelled') return;
  const units = current.quantity - current.qtyFulfilled - current.qtyFailed - current.qtyCancelled;
  const refund = refundFor({ points: current.pointsPaid, cashFen: current.cashPaidFen }, current.quantity, current.qtyFailed + current.qtyCancelled, units);
  if (cancel.attemptId) await updateAttempt(tx, clock, cancel.attemptId, { status: 'cancelled', supplierOrderId: cancel.supplierOrderId ?? null, failureReason: cancel.reason });
  // The refund first: the order's final event, written by the move when it ends the order, sums it.
  await addLedger(tx, clock, current, { entry: 'refund', units, points: -refund.points, fen: -refund.cashFen, reason: `cancelled: ${cancel.reason}` });
  await setLineStatus(tx, clock, current, { status: 'cancelled', qtyCancelled: current.qtyCancelled + units, failureReason: cancel.reason }, [
    { type: 'line.cancelled', data: { reason: cancel.reason, quantityCancelled: units } },
  ]);
}
