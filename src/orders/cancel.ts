import type { EntityManager } from '@mikro-orm/postgresql';
import type { SupplierOrder, SupplierOrderStatus } from '../../connectors/connector.ts';
import { isSupplierError, type SupplierError } from '../../connectors/errors.ts';
import { submitOrderStep } from '../../workflows/lines/steps/submit-order.ts';
import type { LineServices, LineState } from '../../workflows/lines/services.ts';
import type { Clock } from '../domain/clock.ts';
import { AppError, notFound } from '../domain/errors.ts';
import { type LineRecord, loadLine } from '../persistence/line-store.ts';
import { recordCancelled } from '../../workflows/lines/cancelled.ts';
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

/** Retry-After for a supplier that could not be asked and named no time of its own (an open circuit, a timeout). */
const SUPPLIER_RETRY_AFTER_MS = 5_000;

/** What the supplier holds once its order has reached one of these: nothing the member could still get. */
const HOLDS_NOTHING: ReadonlySet<SupplierOrderStatus> = new Set(['cancelled', 'failed']);
/** Gone out (or being issued): the supplier cannot take it back by a cancel, only by an after-sales return. */
const PAST_CANCELLING: ReadonlySet<SupplierOrderStatus> = new Set(['processing', 'shipped', 'partially_shipped', 'delivered', 'issued']);

const BUSY = 'the line is being processed right now; try again in a moment';
const BUSY_RETRY_MS = 100;

/** A supplier could not be asked (or could not answer a cancel) about one line: nothing was decided for it. */
class Undecided extends Error {
  readonly error: SupplierError;
  constructor(error: SupplierError) {
    super(error.message, { cause: error });
    this.error = error;
  }
}

/** The line's run while this cancellation holds it; `leaseUntil` identifies our lease (a worker taking over sets another). */
interface LeasedRun {
  id: string;
  state: Record<string, unknown>;
  /** Moved on by `renewLease`. */
  leaseUntil: Date;
}

/**
 * Cancels lines of an order (all of them when none are named). A line is cancelled only while its
 * run is held here, so no worker moves it meanwhile, and only once it is known what the supplier
 * holds for it (see `cancelOne`). Shipped, issued, or confirmed at a supplier that cannot cancel →
 * not_cancellable with the reason (an after-sales return is then the way). When a supplier cannot
 * be asked, that line stays as it was and the whole request answers 503 `unavailable` with
 * Retry-After (after the other lines were decided: a repeat answers them again, unchanged).
 */
export async function cancelLines(deps: CancelDeps, mallId: string, orderId: string, lineIds: readonly string[] | undefined, reason: string): Promise<CancelResult[]> {
  const order = await findOrder(deps.em, mallId, { orderId });
  if (!order) throw notFound('order');
  const lines = await deps.em.getConnection().execute<{ id: string; line_id: string }[]>('select id, line_id from order_line where order_id = ? order by line_id', [orderId]);
  const wanted = lineIds ?? lines.map((l) => l.line_id);
  const out: CancelResult[] = [];
  const undecided: { lineId: string; error: SupplierError }[] = [];
  for (const lineId of wanted) {
    const line = lines.find((l) => l.line_id === lineId);
    if (!line) {
      out.push({ lineId, result: 'not_cancellable', reason: 'no such line in this order' });
      continue;
    }
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
  const run = await leaseRun(deps, id);
  if (run === 'busy') return { lineId, result: 'not_cancellable', reason: BUSY };
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
    const held = await supplierHolding(deps, state);
    if (held) {
      let refusal = refusalFor(line, state, held);
      if (!refusal) {
        // The supplier calls may have outlasted our lease: act at the supplier only while the
        // run is still ours, or a worker that took it over would find its order cancelled under it.
        if (!(await renewLease(deps, run))) return { lineId, result: 'not_cancellable', reason: BUSY };
        // Said before asking: should the cancel's answer be lost (503 to the mall), the workflow
        // that later finds the supplier's order gone cancels the line instead of rerouting it.
        if (!(await requestCancel(deps, run, reason))) return { lineId, result: 'not_cancellable', reason: BUSY };
        refusal = await cancelAtSupplier(deps, run, line, state, held);
        // The supplier said no for certain: the line goes on, with no cancellation pending.
        if (refusal) await requestCancel(deps, run, null);
      }
      if (refusal) {
        // Recorded so the workflow (and a later cancel) go on from this order, never submitting again.
        if (held.found) await recordFound(deps, run, state, held.order);
        return { lineId, result: 'not_cancellable', reason: refusal };
      }
    }
    const cancelled = await cancelInHub(deps, run, id, state, held?.supplierOrderId, reason);
    return cancelled ? { lineId, result: 'cancelled' } : { lineId, result: 'not_cancellable', reason: BUSY };
  } finally {
    // Our lease only: a worker that took the run over after it ran out keeps its own.
    await deps.em.getConnection().execute('update workflow_run set lease_until = null where id = ? and lease_until = ?', [run.id, run.leaseUntil]);
  }
}

type Holding = { supplierOrderId: string; found: false } | { supplierOrderId: string; found: true; order: SupplierOrder };

/** The supplier order the run's attempt holds, or null when it holds none. Throws Undecided when the supplier cannot be asked. */
async function supplierHolding(deps: CancelDeps, state: LineState): Promise<Holding | null> {
  if (!state.attemptId || !state.supplierId) return null; // no source chosen yet: nothing was sent
  // The workflow gave this attempt up (refused, or cancelled / failed at the supplier) and is
  // choosing the next source: that source holds nothing for it.
  const [attempt] = await deps.em.getConnection().execute<{ status: string }[]>('select status from line_attempt where id = ?', [state.attemptId]);
  if (attempt?.status === 'failed') return null;
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

/** Cancels the held order at its supplier (the submit step's compensation); the reason it cannot, or null when it is cancelled there. */
async function cancelAtSupplier(deps: CancelDeps, run: LeasedRun, line: LineRecord, state: LineState, held: Holding): Promise<string | null> {
  try {
    await askSupplier(() => submitOrderStep.compensate?.({ runId: run.id, subjectId: line.id, state: { ...state, supplierOrderId: held.supplierOrderId }, em: deps.em, clock: deps.clock, attempt: 0 }, deps.services) ?? Promise.resolve());
    return null;
  } catch (err) {
    if (!isSupplierError(err, 'not_cancellable')) throw err;
    // A repeat of a cancel whose first answer was lost: the supplier may refuse to cancel what it
    // already cancelled. Its order's own status says which it is.
    const connector = deps.services.connectors.get(state.supplierId as string);
    const now = connector ? await askSupplier(() => connector.getOrder(held.supplierOrderId)) : null;
    if (now && HOLDS_NOTHING.has(now.status)) return null;
    return `${state.supplierId} can no longer cancel it (confirmed); request an after-sales return`;
  }
}

/**
 * Notes on the run, while it is still ours, that the mall asked to cancel the line (null: takes
 * the note back); false when a worker took the run over.
 */
async function requestCancel(deps: CancelDeps, run: LeasedRun, reason: string | null): Promise<boolean> {
  const own = await deps.em.getConnection().execute<{ id: string }[]>(
    "update workflow_run set state = case when ?::text is null then state - 'cancelRequested' else state || jsonb_build_object('cancelRequested', ?::text) end, updated_at = ? where id = ? and lease_until = ? returning id",
    [reason, reason, deps.clock.now(), run.id, run.leaseUntil],
  );
  return own.length > 0;
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

/** Puts an order found by its reference on the attempt and the run, while the run is still ours. */
async function recordFound(deps: CancelDeps, run: LeasedRun, state: LineState, order: SupplierOrder): Promise<void> {
  await deps.em.fork().transactional(async (tx) => {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext();
    const own = await conn.execute<{ id: string }[]>(
      "update workflow_run set state = state || jsonb_build_object('supplierOrderId', ?::text), updated_at = ? where id = ? and lease_until = ? returning id",
      [order.supplierOrderId, deps.clock.now(), run.id, run.leaseUntil],
      'all',
      ctx,
    );
    // Lost the run to a worker meanwhile: its submit step looks the reference up itself.
    if (!own.length) return;
    await conn.execute('update line_attempt set supplier_order_id = ?, updated_at = ? where id = ? and supplier_order_id is null', [order.supplierOrderId, deps.clock.now(), state.attemptId], 'run', ctx);
  });
}

/** Cancels the line in the hub (refund, event) and ends its run; false when a worker took the run over meanwhile. */
async function cancelInHub(deps: CancelDeps, run: LeasedRun, id: string, state: LineState, supplierOrderId: string | undefined, reason: string): Promise<boolean> {
  return deps.em.fork().transactional(async (tx) => {
    // The run first, on our lease only: had the supplier calls outlasted it and a worker taken
    // the run, that worker is moving the line now, and nothing here may be written.
    const own = await tx.getConnection().execute<{ id: string }[]>(
      "update workflow_run set status = 'cancelled', lease_until = null, next_run_at = null, updated_at = ? where id = ? and lease_until = ? returning id",
      [deps.clock.now(), run.id, run.leaseUntil],
      'all',
      tx.getTransactionContext(),
    );
    if (!own.length) return false;
    await recordCancelled(tx, deps.clock, id, { reason, attemptId: state.attemptId, supplierOrderId });
    return true;
  });
}

/** Extends our lease on the run from now; false when it is no longer ours (a worker took it over). */
async function renewLease(deps: CancelDeps, run: LeasedRun): Promise<boolean> {
  const [renewed] = await deps.em.getConnection().execute<{ lease_until: Date }[]>(
    'update workflow_run set lease_until = ? where id = ? and lease_until = ? returning lease_until',
    [new Date(deps.clock.now().getTime() + deps.leaseMs), run.id, run.leaseUntil],
  );
  if (!renewed) return false;
  run.leaseUntil = renewed.lease_until;
  return true;
}

/** Takes the line's run away from the workers for the time of the cancellation (waits a little for a busy one). */
async function leaseRun(deps: CancelDeps, lineId: string): Promise<LeasedRun | 'busy' | null> {
  const deadline = Date.now() + (deps.leaseWaitMs ?? 3_000);
  for (;;) {
    const now = deps.clock.now();
    const [run] = await deps.em.getConnection().execute<{ id: string; state: Record<string, unknown>; lease_until: Date }[]>(
      `update workflow_run set lease_until = ? where subject_id = ? and status in ('pending', 'running', 'waiting') and (lease_until is null or lease_until <= ?)
       returning id, state, lease_until`,
      [new Date(now.getTime() + deps.leaseMs), lineId, now],
    );
    if (run) return { id: run.id, state: run.state, leaseUntil: run.lease_until };
    const [held] = await deps.em.getConnection().execute<{ n: string }[]>("select count(*)::text n from workflow_run where subject_id = ? and status in ('pending', 'running', 'waiting')", [lineId]);
    if (held?.n === '0') return null;
    if (Date.now() > deadline) return 'busy';
    await sleep(BUSY_RETRY_MS);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
