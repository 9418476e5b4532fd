import type { EntityManager } from '@mikro-orm/postgresql';
import type { Region, SupplierConnector } from '../../connectors/connector.ts';
import { isSupplierError } from '../../connectors/errors.ts';
import { holdRun, replayRun, runsOfSubject, wakeSubjectRuns } from '../../workflows/engine/index.ts';
import type { LineState } from '../../workflows/lines/services.ts';
import { PICK_SOURCE } from '../../workflows/lines/step-ids.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { needsApproval, type RefundLimits } from '../domain/aftersales.ts';
import { AppError, notFound } from '../domain/errors.ts';
import type { OrderActionRefusal, RunStatus } from '../domain/order-actions.ts';
import type { LineStatus } from '../domain/order-status.ts';
import type { ActorType } from '../domain/principal.ts';
import { refundFor } from '../domain/refunds.ts';
import { type CancelDeps, cancelLines, type CancelResult, refuseUnknownLines } from './cancel.ts';
import { attemptStatus, findMallLine, type LineRecord, loadLine, sourceOffers, updateAttempt } from './line-store.ts';
import { type OrderView, orderView } from './order-store.ts';
import { RefundExceedsPaid, refundedUnits, refundUnits } from './refunds.ts';
import { findOrderForStaff, linesForStaff, lineOfRefundRef, lockLineRow, type StaffOrderRow } from './staff-order-store.ts';

/**
 * What the hub's staff do to an order (issue 19, admin part: POST /admin/orders/{orderId}/actions/…):
 * retry a line's workflow, reroute a line to another source, cancel lines as the mall would, refund
 * units. Each is refused whole (4xx, nothing written) on bad input, and audited with the actor,
 * before and after and the request id: in the transaction of the change where the change is one
 * (retry, reroute, refund); for a cancel, whose lines are each cancelled by the engine in their own
 * transactions (src/orders/cancel.ts), right after, with every line's result.
 */

export type StaffActionDeps = CancelDeps & {
  /** What an agent may refund on their own (src/config.ts: HUB_AGENT_REFUND_LIMIT_*). */
  refundLimits: RefundLimits;
};

export interface StaffActor {
  actor: { actorType: ActorType; actorId: string };
  requestId: string;
  role: 'agent' | 'admin';
}


const notEligible = (lineId: string, reason: OrderActionRefusal, message: string, extra: { asked?: number; left?: number; lineStatus?: LineStatus; supplierId?: string } = {}) =>
  new AppError('not_eligible', message, { retryable: false, details: { reason, lineId, ...extra } });

const BUSY = 'the line is being processed right now; try again in a moment';

async function orderAndLine(em: EntityManager, orderId: string, lineId: string): Promise<{ order: StaffOrderRow; line: LineRecord }> {
  const order = await findOrderForStaff(em, orderId);
  if (!order) throw notFound('order');
  const ref = await findMallLine(em, order.mall_id, orderId, lineId);
  if (!ref) throw new AppError('not_found', `order ${orderId} has no line ${lineId}`, { details: { lineIds: [lineId] } });
  return { order, line: await loadLine(em, ref.id) };
}

const audit = (tx: EntityManager, deps: StaffActionDeps, who: StaffActor, order: StaffOrderRow, action: string, before: unknown, after: unknown) =>
  recordAudit(tx, deps.clock, { actor: who.actor, action, resourceType: 'mall_order', resourceId: order.id, mallId: order.mall_id, before, after, requestId: who.requestId });

// ---------------------------------------------------------------------------------------------
// retry

export interface RetryResult {
  orderId: string;
  lineId: string;
  runId: string;
  /** `replayed`: a dead run put back to work; `woken`: a waiting run asked to go on now. */
  action: 'replayed' | 'woken';
  /** The run's status now: `waiting` (queued to run its step) or `compensating` (a failed undo tried again). */
  runStatus: 'waiting' | 'compensating';
}

/**
 * Retries a line's workflow: a dead run is replayed from where it died (engine `replayRun`), a
 * waiting one woken now (`wakeSubjectRuns`); anything else is 409 `conflict` with the run's state.
 * The run's change and the audit entry commit together; the run is queued after the commit.
 */
export async function retryLine(deps: StaffActionDeps, orderId: string, lineId: string, who: StaffActor): Promise<RetryResult> {
  const { order, line } = await orderAndLine(deps.em, orderId, lineId);
  const run = (await runsOfSubject(deps.em, [line.id], [...deps.workflows.keys()])).at(-1);
  if (!run) throw new AppError('conflict', `line ${lineId} has no workflow run`);
  // Queued once the change is committed: a worker woken earlier would find the run as it was.
  const queued: [string, number, number][] = [];
  const schedule = async (runId: string, wakes: number, delayMs: number) => void queued.push([runId, wakes, delayMs]);
  const wrongState = (status: string, step: string) =>
    new AppError('conflict', `line ${lineId}'s run is ${status} at ${step}: only a dead run is replayed, or a waiting one woken`, { details: { runId: run.id, status: status as RunStatus, step } });
  const result = await deps.em.fork().transactional(async (tx): Promise<RetryResult> => {
    let out: RetryResult;
    if (run.status === 'dead') {
      const r = await replayRun(tx, deps.clock, schedule, run.id);
      if ('refused' in r) throw r.refused === 'wrong_state' ? wrongState(r.status, run.step) : new AppError('conflict', `line ${lineId} has no workflow run`);
      out = { orderId, lineId, runId: run.id, action: 'replayed', runStatus: r.phase === 'forward' ? 'waiting' : 'compensating' };
    } else if (run.status === 'waiting') {
      if (!(await wakeSubjectRuns(tx, deps.clock, schedule, line.id))) throw wrongState('running', run.step);
      out = { orderId, lineId, runId: run.id, action: 'woken', runStatus: 'waiting' };
    } else {
      throw wrongState(run.status, run.step);
    }
    audit(tx, deps, who, order, 'order.retry', { lineId, runId: run.id, status: run.status, step: run.step, lastError: run.last_error }, { lineId, runId: run.id, action: out.action, status: out.runStatus });
    return out;
  });
  for (const [runId, wakes, delayMs] of queued) await deps.schedule(runId, wakes, delayMs);
  return result;
}

// ---------------------------------------------------------------------------------------------
// reroute

export interface RerouteResult {
  orderId: string;
  lineId: string;
  runId: string;
  /** The source the line was with (null: none chosen yet). */
  previousSource: string | null;
  /** What became of its attempt there: cancelled at the supplier, given up (nothing was placed), or none to give up. */
  previousAttempt: 'cancelled' | 'given_up' | 'none';
  /** The source staff named (null: routing chooses, among the sources not tried yet). */
  requestedSource: string | null;
}

/** Lines a reroute may take: not yet shipped or issued (a virtual line only until its provider is asked). */
function reroutable(line: Pick<LineRecord, 'kind' | 'status'>): boolean {
  return line.kind === 'virtual' ? line.status === 'pending' : ['pending', 'submitted', 'accepted'].includes(line.status);
}

const RECORDS_NOTHING = new Set(['failed', 'cancelled']);

/**
 * Sends a line back to choosing its source: to `supplierId` when named (refused with 422
 * `source_cannot_sell` when it does not offer the item, or, asked live for goods, cannot sell the
 * quantity to the recipient's region), else to routing's choice among the sources not tried yet
 * (422 `no_other_source` when there is none). The line's run is held (as a mall's cancel holds it)
 * while its current attempt is given up: an order placed at the supplier is cancelled there first
 * (an order the supplier can no longer cancel: 409, nothing changed; a supplier that cannot be
 * asked: 503); then the engine redirects the run to `pick-source` with the attempt marked
 * cancelled or failed and the audit entry, in one transaction, and queues it. The mall hears
 * `line.rerouted` when the next source is chosen. Shipped, issued or a virtual line its provider
 * is issuing: 422 `line_status`. A run that is dead (retry or abort it), being cancelled or busy: 409.
 */
export async function rerouteLine(deps: StaffActionDeps, orderId: string, lineId: string, req: { supplierId?: string | undefined; reason: string }, who: StaffActor): Promise<RerouteResult> {
  const { order, line } = await orderAndLine(deps.em, orderId, lineId);
  if (!reroutable(line)) throw notEligible(lineId, 'line_status', `line ${lineId} is ${line.status}: only a line not yet shipped or issued is rerouted`, { lineStatus: line.status });
  const connectors = deps.services.connectors;
  const offers = await sourceOffers(deps.em, line.itemId);
  if (req.supplierId !== undefined) await checkNamedSource(deps, line, offers, req.supplierId);

  const hold = await holdRun(deps, line.id, deps.leaseWaitMs ?? 3_000);
  if (hold === 'busy') throw new AppError('conflict', BUSY);
  if (!hold) throw new AppError('conflict', `line ${lineId} has no live workflow run (a dead one is retried or aborted, an ended one cannot move)`);
  try {
    if (hold.goal) throw new AppError('conflict', `line ${lineId} is being ${hold.goal === 'cancel' ? 'cancelled' : 'failed'}: it cannot be rerouted`);
    const current = await loadLine(deps.em, line.id);
    if (!reroutable(current)) throw notEligible(lineId, 'line_status', `line ${lineId} is ${current.status}: only a line not yet shipped or issued is rerouted`, { lineStatus: current.status });
    const state = hold.state as LineState;
    if (req.supplierId === undefined) {
      const tried = new Set(state.tried ?? []);
      if (!offers.some((o) => connectors.has(o.supplierId) && !tried.has(o.supplierId))) {
        throw notEligible(lineId, 'no_other_source', `no source but ${[...tried].join(', ') || 'none'} (tried already) offers this item: name one to send the line to it again`);
      }
    }
    // The attempt the run is on, if it is still live.
    const attemptId = state.attemptId && !RECORDS_NOTHING.has((await attemptStatus(deps.em, state.attemptId)) ?? 'failed') ? state.attemptId : undefined;
    const placed = attemptId && state.supplierId ? await placedOrder(connectors.get(state.supplierId), state) : null;
    if (placed) {
      if (current.kind === 'virtual') throw new AppError('conflict', `line ${lineId}: ${state.supplierId} is already issuing it; it cannot be rerouted`);
      if (!(await hold.renew())) throw new AppError('conflict', BUSY);
      // Said before asking: should the cancel's answer be lost, the workflow that finds the order
      // gone reroutes the line itself, to the source named here.
      if (req.supplierId !== undefined && !(await hold.note({ preferSupplier: req.supplierId }))) throw new AppError('conflict', BUSY);
      await cancelAtSupplier(connectors.get(state.supplierId as string) as SupplierConnector, placed, async (keepNote) => {
        if (!keepNote && req.supplierId !== undefined) await hold.note({ preferSupplier: null });
      });
    }
    const reason = `rerouted by staff: ${req.reason}`;
    const previousAttempt = placed ? ('cancelled' as const) : attemptId ? ('given_up' as const) : ('none' as const);
    const before = { lineId, lineStatus: current.status, source: state.supplierId ?? null, attemptId: attemptId ?? null, supplierOrderId: placed };
    const moved = await hold.redirect(PICK_SOURCE, { lastFailure: reason, preferSupplier: req.supplierId ?? null, supplierOrderId: null, cancelRequested: null }, async (tx) => {
      if (attemptId) await updateAttempt(tx, deps.clock, attemptId, { status: placed ? 'cancelled' : 'failed', failureReason: reason });
      audit(tx, deps, who, order, 'order.reroute', before, { lineId, runId: hold.runId, requestedSource: req.supplierId ?? null, previousAttempt, reason: req.reason });
    });
    if (!moved) {
      const what = placed ? `its order at ${state.supplierId} was cancelled, and its workflow will reroute it itself` : 'nothing was changed';
      throw new AppError('conflict', `line ${lineId} was taken by a worker meanwhile: ${what}`);
    }
    return { orderId, lineId, runId: hold.runId, previousSource: state.supplierId ?? null, previousAttempt, requestedSource: req.supplierId ?? null };
  } finally {
    await hold.release();
  }
}

/** 422 unless the named source offers the item and, for goods asked live, can sell the quantity to the recipient's region. */
async function checkNamedSource(deps: StaffActionDeps, line: LineRecord, offers: Awaited<ReturnType<typeof sourceOffers>>, supplierId: string): Promise<void> {
  const refuse = (why: string) => notEligible(line.lineId, 'source_cannot_sell', `${supplierId} ${why}`, { supplierId });
  const offer = offers.find((o) => o.supplierId === supplierId);
  const connector = deps.services.connectors.get(supplierId);
  if (!offer || !connector) throw refuse('does not offer this item');
  // Its circuit is open: the hub is not calling it now, so nothing can be placed there (503 for a moment).
  if (connector.health().circuit === 'open') throw new AppError('unavailable', `${supplierId} is not being called right now (its circuit is open); try again later`, { retryAfterMs: 5_000, details: { dependency: 'supplier' } });
  if (line.kind !== 'physical' || !line.recipient) return;
  const region = JSON.parse(deps.services.crypto.open(line.recipient)) as Region;
  const [live] = await connector.getOffers([offer.supplierSkuId], region);
  if (!live?.sellable || !live.available) throw refuse('cannot sell this item to the recipient’s region now');
  if (live.stock !== null && live.stock < line.quantity) throw refuse(`has ${live.stock} in stock for the recipient’s region, the line needs ${line.quantity}`);
}

/** The supplier order the run's attempt holds (its id), or null when it holds none; a lookup by the attempt's reference when its answer was never recorded. */
async function placedOrder(connector: SupplierConnector | undefined, state: LineState): Promise<string | null> {
  if (state.supplierOrderId) return state.supplierOrderId;
  // A source no longer configured: the workflow itself gives such an attempt up; there is nobody to ask.
  if (!connector || !state.reference) return null;
  try {
    const found = await connector.findOrder(state.reference);
    return found && !['cancelled', 'failed'].includes(found.status) ? found.supplierOrderId : null;
  } catch (err) {
    if (isSupplierError(err, 'not_found')) return null;
    throw err;
  }
}

/**
 * Cancels a placed order at its supplier; an order it says it cannot cancel but that is cancelled
 * already (a first answer lost) counts as cancelled. Otherwise 409 (`not_cancellable`: gone too
 * far) or the supplier's retryable error (503). `undo(keepNote)` runs before a refusal is thrown:
 * an answer that never came (the outcome unknown) keeps what the caller noted on the run.
 */
async function cancelAtSupplier(connector: SupplierConnector, supplierOrderId: string, undo: (keepNote: boolean) => Promise<void>): Promise<void> {
  try {
    await connector.cancelOrder(supplierOrderId);
    return;
  } catch (err) {
    if (!isSupplierError(err, 'not_cancellable')) {
      await undo(isSupplierError(err) && err.outcomeUnknown);
      throw err;
    }
  }
  const now = await connector.getOrder(supplierOrderId);
  if (now.status === 'cancelled' || now.status === 'failed') return;
  await undo(false);
  throw new AppError('conflict', `the supplier can no longer cancel order ${supplierOrderId} (${now.status.replace('_', ' ')}): the line stays with it`);
}

// ---------------------------------------------------------------------------------------------
// cancel

export interface StaffCancelResult {
  orderId: string;
  lines: CancelResult[];
  order: OrderView;
}

/**
 * Cancels lines of an order as its mall would (src/orders/cancel.ts: each line held, asked about at
 * its supplier, cancelled there first), on staff's word. A line the order does not have: 404, nothing
 * cancelled. Two audit entries: `order.cancel_requested` before anything is asked or changed, then
 * `order.cancel` with every line's result (and those left undecided by a supplier that could not be
 * asked, when the whole answers 503).
 */
export async function cancelOrderLines(deps: StaffActionDeps, orderId: string, req: { lineIds?: string[] | undefined; reason: string }, who: StaffActor): Promise<StaffCancelResult> {
  const order = await findOrderForStaff(deps.em, orderId);
  if (!order) throw notFound('order');
  const before = (await linesForStaff(deps.em, [order.id])).map((l) => ({ lineId: l.line_id, status: l.status }));
  // Staff's word is on record before any supplier is asked: a cancel is several transactions (each
  // line at its supplier, then in the hub), and a process dying between them would otherwise leave
  // cancelled lines with no entry naming who cancelled them. An unknown line is refused first (404, nothing written).
  refuseUnknownLines(orderId, req.lineIds ?? [], before.map((l) => l.lineId));
  await deps.em.fork().transactional(async (tx) => {
    audit(tx, deps, who, order, 'order.cancel_requested', { lines: before }, { reason: req.reason, lineIds: req.lineIds ?? null });
  });
  let results: CancelResult[];
  let failure: AppError | undefined;
  try {
    results = await cancelLines(deps, order.mall_id, orderId, req.lineIds, req.reason);
  } catch (err) {
    // Lines decided before a supplier could not be asked about another are cancelled all the same: audited.
    const decided = err instanceof AppError && err.code === 'unavailable' ? (err.details as { decided?: CancelResult[] } | undefined)?.decided : undefined;
    if (!decided) throw err;
    results = decided;
    failure = err as AppError;
  }
  await deps.em.fork().transactional(async (tx) => {
    audit(tx, deps, who, order, 'order.cancel', { lines: before }, { reason: req.reason, lineIds: req.lineIds ?? null, lines: results, ...(failure ? { undecided: (failure.details as { undecided?: unknown }).undecided } : {}) });
  });
  if (failure) throw failure;
  const now = await findOrderForStaff(deps.em, orderId);
  return { orderId, lines: results, order: await orderView(deps.em, now as StaffOrderRow) };
}

// ---------------------------------------------------------------------------------------------
// refund

export interface StaffRefundResult {
  orderId: string;
  lineId: string;
  units: number;
  points: number;
  cashFen: number;
  /** The ledger's key of this refund (`staff:<request id>`): the same request id answers this refund again. */
  ref: string;
  /** True when this request id had refunded already: nothing new was written. */
  repeated: boolean;
}

/** Lines still being fulfilled (cancel them instead) or cancelled (refunded by the cancel). */
const NOT_REFUNDABLE: ReadonlySet<LineStatus> = new Set(['pending', 'submitted', 'accepted', 'issuing', 'cancelled']);

/**
 * Refunds units of a line on staff's word (a goodwill or after-sales refund outside a ticket), in
 * one transaction: the line locked, the amount worked out by `refundFor` (what those units were
 * paid, cumulative by unit), an agent above their limit refused (403: an admin must do it), then
 * `refundUnits` (ledger row, `refund.required`, the line `refunded` once every unit is) and the
 * audit entry. Keyed by the request id (`staff:<X-Request-Id>`): a repeat answers the same refund
 * and writes nothing; the same request id for another line is 409. A line still being fulfilled
 * (cancel it instead) or cancelled: 422 `line_status`; more units than paid and not refunded:
 * 422 `quantity_exceeded`.
 */
export async function refundLine(deps: StaffActionDeps, orderId: string, lineId: string, req: { units: number; reason: string }, who: StaffActor): Promise<StaffRefundResult> {
  const { order, line } = await orderAndLine(deps.em, orderId, lineId);
  const ref = `staff:${who.requestId}`;
  return deps.em.fork().transactional(async (tx) => {
    await lockLineRow(tx, line.id);
    const prior = await lineOfRefundRef(tx, ref);
    if (prior !== undefined && prior !== line.id) throw new AppError('conflict', `request id ${who.requestId} refunded another line already: send a new X-Request-Id for a new refund`);
    const current = await loadLine(tx, line.id);
    const done = await refundedUnits(tx, line.id);
    if (prior === undefined) {
      if (NOT_REFUNDABLE.has(current.status)) {
        const hint = current.status === 'cancelled' ? 'its cancellation refunded it' : 'it is still being fulfilled: cancel it instead';
        throw notEligible(lineId, 'line_status', `line ${lineId} is ${current.status}: ${hint}`, { lineStatus: current.status });
      }
      const left = current.quantity - done;
      if (req.units > left) throw notEligible(lineId, 'quantity_exceeded', `line ${lineId}: ${req.units} units asked to be refunded, ${left} left that were paid and not refunded`, { asked: req.units, left });
      const money = refundFor({ points: current.pointsPaid, cashFen: current.cashPaidFen }, current.quantity, done, req.units);
      if (needsApproval(who.role, money, deps.refundLimits)) {
        throw new AppError('forbidden', `a refund of ${money.points} points and ${money.cashFen} fen is above an agent's limit (${deps.refundLimits.points} points, ${deps.refundLimits.cashFen} fen): an admin must make it`, {
          details: { limit: deps.refundLimits, refund: money, requiredRole: 'admin' },
        });
      }
    }
    let r;
    try {
      r = await refundUnits(tx, deps.clock, line.id, { units: req.units, reason: req.reason, ref });
    } catch (err) {
      if (err instanceof RefundExceedsPaid) {
        const d = err.details as { asked: number; left: number };
        throw notEligible(lineId, 'quantity_exceeded', err.message, { asked: d.asked, left: d.left });
      }
      throw err;
    }
    if (r.written) {
      audit(tx, deps, who, order, 'order.refund', { lineId, lineStatus: current.status, unitsRefunded: done }, { lineId, units: r.units, points: r.points, cashFen: r.cashFen, reason: req.reason, ref });
    }
    return { orderId, lineId, units: r.units, points: r.points, cashFen: r.cashFen, ref, repeated: !r.written };
  });
}
