import type { EntityManager } from '@mikro-orm/postgresql';
import { isSupplierError } from '../../connectors/errors.ts';
import { submitOrderStep } from '../../workflows/lines/steps/submit-order.ts';
import type { LineServices, LineState } from '../../workflows/lines/services.ts';
import type { Clock } from '../domain/clock.ts';
import { notFound } from '../domain/errors.ts';
import { refundFor } from '../domain/refunds.ts';
import { addLedger, lineEvent, loadLine, setLineStatus, updateAttempt } from '../persistence/line-store.ts';
import { findOrder } from '../persistence/order-store.ts';

export type CancelResult = { lineId: string; result: 'cancelled' } | { lineId: string; result: 'not_cancellable'; reason: string };

export interface CancelDeps {
  em: EntityManager;
  clock: Clock;
  services: LineServices;
  /** How long to wait for a worker executing the line's run to let go of it. */
  leaseWaitMs?: number;
  leaseMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Cancels lines of an order (all of them when none are named). A line is cancelled only while its
 * run is held here, so no worker moves it meanwhile: not yet placed → cancelled at once; placed
 * at a supplier → the submit step's compensation cancels it there first. Shipped, issued, or
 * confirmed at a supplier that cannot cancel → not_cancellable with the reason (an after-sales
 * return is then the way).
 */
export async function cancelLines(deps: CancelDeps, mallId: string, orderId: string, lineIds: readonly string[] | undefined, reason: string): Promise<CancelResult[]> {
  const order = await findOrder(deps.em, mallId, { orderId });
  if (!order) throw notFound('order');
  const lines = await deps.em.getConnection().execute<{ id: string; line_id: string }[]>('select id, line_id from order_line where order_id = ? order by line_id', [orderId]);
  const wanted = lineIds ?? lines.map((l) => l.line_id);
  const out: CancelResult[] = [];
  for (const lineId of wanted) {
    const line = lines.find((l) => l.line_id === lineId);
    out.push(line ? await cancelOne(deps, line.id, lineId, reason) : { lineId, result: 'not_cancellable', reason: 'no such line in this order' });
  }
  return out;
}

async function cancelOne(deps: CancelDeps, id: string, lineId: string, reason: string): Promise<CancelResult> {
  const run = await leaseRun(deps, id);
  if (run === 'busy') return { lineId, result: 'not_cancellable', reason: 'the line is being processed right now; try again in a moment' };
  if (!run) {
    const line = await loadLine(deps.em, id);
    if (line.status === 'cancelled') return { lineId, result: 'cancelled' };
    return { lineId, result: 'not_cancellable', reason: `line is ${line.status}` };
  }
  try {
    const line = await loadLine(deps.em, id);
    if (line.status === 'cancelled') return { lineId, result: 'cancelled' };
    if (!['pending', 'submitted', 'accepted'].includes(line.status)) return { lineId, result: 'not_cancellable', reason: `line is ${line.status}` };
    const state = run.state as LineState;
    if (state.supplierOrderId && line.kind === 'virtual') return { lineId, result: 'not_cancellable', reason: 'the provider is already issuing it' };
    if (state.supplierOrderId) {
      try {
        await submitOrderStep.compensate?.({ runId: run.id, subjectId: id, state, em: deps.em, clock: deps.clock, attempt: 0 }, deps.services);
      } catch (err) {
        if (isSupplierError(err, 'not_cancellable')) return { lineId, result: 'not_cancellable', reason: `${state.supplierId} can no longer cancel it (confirmed); request an after-sales return` };
        throw err;
      }
    }
    await deps.em.fork().transactional(async (tx) => {
      const current = await loadLine(tx, id);
      const units = current.quantity - current.qtyFulfilled - current.qtyFailed - current.qtyCancelled;
      const refund = refundFor({ points: current.pointsPaid, cashFen: current.cashPaidFen }, current.quantity, current.qtyFailed + current.qtyCancelled, units);
      if (state.attemptId) await updateAttempt(tx, deps.clock, state.attemptId, { status: 'cancelled', failureReason: reason });
      await setLineStatus(tx, deps.clock, current, { status: 'cancelled', qtyCancelled: current.qtyCancelled + units, failureReason: reason });
      await addLedger(tx, deps.clock, current, { entry: 'refund', units, points: -refund.points, fen: -refund.cashFen, reason: `cancelled: ${reason}` });
      await lineEvent(tx, deps.clock, current, 'line.cancelled', { reason, quantityCancelled: units });
      await tx.getConnection().execute("update workflow_run set status = 'cancelled', lease_until = null, next_run_at = null, updated_at = ? where id = ?", [deps.clock.now(), run.id], 'run', tx.getTransactionContext());
    });
    return { lineId, result: 'cancelled' };
  } finally {
    await deps.em.getConnection().execute("update workflow_run set lease_until = null where id = ? and status <> 'cancelled'", [run.id]);
  }
}

/** Takes the line's run away from the workers for the time of the cancellation (waits a little for a busy one). */
async function leaseRun(deps: CancelDeps, lineId: string): Promise<{ id: string; state: Record<string, unknown> } | 'busy' | null> {
  const deadline = Date.now() + (deps.leaseWaitMs ?? 3_000);
  for (;;) {
    const now = deps.clock.now();
    const [run] = await deps.em.getConnection().execute<{ id: string; state: Record<string, unknown> }[]>(
      `update workflow_run set lease_until = ? where subject_id = ? and status in ('pending', 'running', 'waiting') and (lease_until is null or lease_until <= ?)
       returning id, state`,
      [new Date(now.getTime() + deps.leaseMs), lineId, now],
    );
    if (run) return run;
    const [held] = await deps.em.getConnection().execute<{ n: string }[]>("select count(*)::text n from workflow_run where subject_id = ? and status in ('pending', 'running', 'waiting')", [lineId]);
    if (held?.n === '0') return null;
    if (Date.now() > deadline) return 'busy';
    await sleep(100);
  }
}

