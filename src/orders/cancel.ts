import type { SupplierOrder, SupplierOrderStatus } from '../../connectors/connector.ts';
import { isSupplierError, type SupplierError } from '../../connectors/errors.ts';
import { holdRun, LeaseLost, type RunHold, type RunnerDeps } from '../../workflows/engine/index.ts';
import type { LineServices, LineState } from '../../workflows/lines/services.ts';
import { SUBMIT_ORDER } from '../../workflows/lines/step-ids.ts';
import type { PlacedOrder } from '../../workflows/lines/steps/submit-order.ts';
import { AppError, notFound } from '../domain/errors.ts';
import { attemptStatus, type LineRecord, linesOfOrder, loadLine, setAttemptOrderId } from './line-store.ts';
import { findOrder } from './order-store.ts';

export type CancelResult = { lineId: string; result: 'cancelled' } | { lineId: string; result: 'not_cancellable'; reason: string };

/** The workflow engine's dependencies (the cancellation goes through it), and how long to wait for a busy run. */
export type CancelDeps = RunnerDeps<LineServices> & {
  /** How long to wait for a worker executing the line's run to let go of it. */
  leaseWaitMs?: number;
};

/** Retry-After for a supplier that could not be asked and named no time of its own (an open circuit, a timeout). */
const SUPPLIER_RETRY_AFTER_MS = 5_000;

/** What the supplier holds once its order has reached one of these: nothing the member could still get. */
const HOLDS_NOTHING: ReadonlySet<SupplierOrderStatus> = new Set(['cancelled', 'failed']);
/** Gone out (or being issued): the supplier cannot take it back by a cancel, only by an after-sales return. */
const PAST_CANCELLING: ReadonlySet<SupplierOrderStatus> = new Set(['processing', 'shipped', 'partially_shipped', 'delivered', 'issued']);

const BUSY = 'the line is being processed right now; try again in a moment';

/** A supplier could not be asked (or could not answer a cancel) about one line: nothing was decided for it. */
class Undecided extends Error {
  readonly error: SupplierError;
  constructor(error: SupplierError) {
    super(error.message, { cause: error });
    this.error = error;
  }
}

/** A line the order does not have is a mistake in the request: refused whole (404), before anything is cancelled. */
export function refuseUnknownLines(orderId: string, wanted: readonly string[], lineIds: readonly string[]): void {
  const missing = [...new Set(wanted.filter((lineId) => !lineIds.includes(lineId)))];
  if (missing.length) throw new AppError('not_found', `order ${orderId} has no line ${missing.join(', ')}`, { details: { lineIds: missing } });
}

/**
 * Cancels lines of an order (all of them when none are named); naming a line the order does not
 * have is 404 `not_found` (`details.lineIds`) and cancels nothing. A line is cancelled only while its
 * run is held here, so no worker moves it meanwhile, and only once it is known what the supplier
 * holds for it (see `cancelOne`). Shipped, issued, or confirmed at a supplier that cannot cancel →
 * not_cancellable with the reason (an after-sales return is then the way). When a supplier cannot
 * be asked, that line stays as it was and the whole request answers 503 `unavailable` with
 * Retry-After (after the other lines were decided: a repeat answers them again, unchanged).
 */
export async function cancelLines(deps: CancelDeps, mallId: string, orderId: string, lineIds: readonly string[] | undefined, reason: string): Promise<CancelResult[]> {
  const order = await findOrder(deps.em, mallId, { orderId });
  if (!order) throw notFound('order');
  const lines = await linesOfOrder(deps.em, orderId);
  const wanted = lineIds ?? lines.map((l) => l.line_id);
  refuseUnknownLines(orderId, wanted, lines.map((l) => l.line_id));
  const out: CancelResult[] = [];
  const undecided: { lineId: string; error: SupplierError }[] = [];
  for (const lineId of wanted) {
    const line = lines.find((l) => l.line_id === lineId) as { id: string; line_id: string };
    try {
      out.push(await cancelOne(deps, line.id, lineId, reason));
    } catch (err) {
      if (!(err instanceof Undecided)) throw err;
      undecided.push({ lineId, error: err.error });
    }
  }
  if (undecided.length) {
    const which = undecided.map((u) => `line ${u.lineId}: ${u.error.supplier} ${u.error.code}`).join('; ');
    throw new AppError('unavailable', `the supplier could not be asked what it holds (${which}); those lines are unchanged, try again`, {
      retryAfterMs: Math.max(...undecided.map((u) => u.error.retryAfterMs ?? SUPPLIER_RETRY_AFTER_MS)),
      details: { undecided: undecided.map((u) => ({ lineId: u.lineId, supplierId: u.error.supplier, code: u.error.code })), decided: out },
    });
  }
  return out;
}

/**
 * One line, decided on what its supplier holds. A submit whose answer was lost leaves the run
 * with a reference but no supplier order id, while the supplier may well have the order: it is
 * looked up before anything is decided, or the hub would refund a line the supplier then fulfils.
 *
 *   run's attempt ─▶ none made, or given up (failed) ─────────────────────────────▶ cancel in the hub
 *        │ its supplier order id is known, or findOrder(reference) finds one
 *        │   (not found, or found cancelled / failed ──────────────────────────────▶ cancel in the hub)
 *        ▼
 *   virtual line (a provider issuing cannot stop) ──────▶ not_cancellable, id recorded
 *   found shipped / delivered / issued ─────────────────▶ not_cancellable, id recorded
 *   run no longer ours (lease ran out, a worker has it) ─▶ not_cancellable "try again", nothing done
 *   otherwise cancel there (submit's compensation) ─┬─ done ─────────────▶ cancel in the hub
 *                                                   └─ not_cancellable ──▶ not_cancellable, id recorded
 *   a lookup or cancel that fails retryably (timeout, unavailable, circuit open, rate limited)
 *     ─▶ Undecided: the line and its run stay as they were; the request answers 503 + Retry-After
 */
async function cancelOne(deps: CancelDeps, id: string, lineId: string, reason: string): Promise<CancelResult> {
  const hold = await holdRun(deps, id, deps.leaseWaitMs ?? 3_000);
  if (hold === 'busy') return { lineId, result: 'not_cancellable', reason: BUSY };
  if (!hold) {
    const line = await loadLine(deps.em, id);
    if (line.status === 'cancelled') return { lineId, result: 'cancelled' };
    return { lineId, result: 'not_cancellable', reason: `line is ${line.status}` };
  }
  try {
    const line = await loadLine(deps.em, id);
    if (line.status === 'cancelled') return { lineId, result: 'cancelled' };
    if (!['pending', 'submitted', 'accepted'].includes(line.status)) return { lineId, result: 'not_cancellable', reason: `line is ${line.status}` };
    // Being given up already: the engine is undoing it and will tell the mall what to refund.
    if (hold.goal === 'fail') return { lineId, result: 'not_cancellable', reason: 'the line is being failed; its refund will be reported' };
    const state = hold.state as LineState;
    const held = await supplierHolding(deps, state);
    if (held) {
      const refusal = refusalFor(line, state, held);
      if (refusal) {
        // Recorded so the workflow (and a later cancel) go on from this order, never submitting again.
        if (held.found) await recordFound(hold, state, held.order);
        return { lineId, result: 'not_cancellable', reason: refusal };
      }
      // The supplier calls may have outlasted our hold: act at the supplier only while the run is
      // still ours, or a worker that took it over would find its order cancelled under it.
      if (!(await hold.renew())) return { lineId, result: 'not_cancellable', reason: BUSY };
      // Said before asking: should the cancel's answer be lost (503 to the mall), the workflow
      // that later finds the supplier's order gone cancels the line instead of rerouting it.
      if (!(await hold.note({ cancelRequested: reason }))) return { lineId, result: 'not_cancellable', reason: BUSY };
      // An order the run never recorded (its submit's answer was lost): the engine is told it
      // exists, so the cancellation undoes it like any placed order.
      if (held.found && !(await adoptFound(hold, state, held.order))) return { lineId, result: 'not_cancellable', reason: BUSY };
    }
    try {
      // The engine undoes the run's steps in reverse (the placed order cancelled at its
      // supplier) and ends it cancelled: the line refunded and the mall told.
      await hold.cancel(reason);
    } catch (err) {
      if (err instanceof LeaseLost) return { lineId, result: 'not_cancellable', reason: BUSY };
      if (isSupplierError(err) && err.retryable) throw new Undecided(err);
      if (!isSupplierError(err, 'not_cancellable')) throw err;
      // The supplier said no for certain: the line goes on, with no cancellation pending.
      await hold.note({ cancelRequested: null });
      return { lineId, result: 'not_cancellable', reason: `${state.supplierId} can no longer cancel it (confirmed); request an after-sales return` };
    }
    return { lineId, result: 'cancelled' };
  } finally {
    // Our hold only: a worker that took the run over after it ran out keeps its own.
    await hold.release();
  }
}

type Holding = { supplierOrderId: string; found: false } | { supplierOrderId: string; found: true; order: SupplierOrder };

/** The supplier order the run's attempt holds, or null when it holds none. Throws Undecided when the supplier cannot be asked. */
async function supplierHolding(deps: CancelDeps, state: LineState): Promise<Holding | null> {
  if (!state.attemptId || !state.supplierId) return null; // no source chosen yet: nothing was sent
  // The workflow gave this attempt up (refused, or cancelled / failed at the supplier) and is
  // choosing the next source: that source holds nothing for it.
  if ((await attemptStatus(deps.em, state.attemptId)) === 'failed') return null;
  if (state.supplierOrderId) return { supplierOrderId: state.supplierOrderId, found: false };
  const connector = deps.services.connectors.get(state.supplierId);
  // A source no longer configured: the workflow itself abandons such an attempt (reroute), and
  // there is nobody to ask.
  if (!connector || !state.reference) return null;
  // An attempt was made and its answer never recorded (lost, or the worker died): ask.
  const order = await askSupplier(async () => {
    try {
      return await connector.findOrder(state.reference as string);
    } catch (err) {
      if (isSupplierError(err, 'not_found')) return null;
      throw err;
    }
  });
  // Not there: the run is held here and is marked cancelled with the line, so no worker submits it later.
  if (!order || HOLDS_NOTHING.has(order.status)) return null;
  return { supplierOrderId: order.supplierOrderId, found: true, order };
}

/** Why the held order cannot be cancelled at its supplier without asking it, or null when a cancel is worth trying. */
function refusalFor(line: LineRecord, state: LineState, held: Holding): string | null {
  const status = held.found ? held.order.status : undefined;
  if (line.kind === 'virtual') return status === 'issued' ? 'the provider has already issued it' : 'the provider is already issuing it';
  if (status && PAST_CANCELLING.has(status)) return `${state.supplierId} has already ${status.replace('_', ' ')} it; request an after-sales return`;
  return null;
}

/** Runs a supplier call; one that fails retryably (nobody could say) becomes Undecided. */
async function askSupplier<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isSupplierError(err) && err.retryable) throw new Undecided(err);
    throw err;
  }
}

/** Puts an order found by its reference on the run's state and the attempt, while the run is still ours. */
async function recordFound(hold: RunHold<LineServices>, state: LineState, order: SupplierOrder): Promise<boolean> {
  // Lost the run to a worker meanwhile: its submit step looks the reference up itself.
  return hold.note({ supplierOrderId: order.supplierOrderId }, (tx) => setAttemptOrderId(tx, state.attemptId as string, order.supplierOrderId));
}

/** recordFound, and the order handed to the engine as the submit's to undo. */
async function adoptFound(hold: RunHold<LineServices>, state: LineState, order: SupplierOrder): Promise<boolean> {
  const placed: PlacedOrder = { attemptId: state.attemptId as string, supplierId: state.supplierId as string, supplierOrderId: order.supplierOrderId };
  return hold.adopt(SUBMIT_ORDER, { ...placed }, { supplierOrderId: order.supplierOrderId }, (tx) => setAttemptOrderId(tx, state.attemptId as string, order.supplierOrderId));
}
