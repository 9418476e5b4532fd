import type { EntityManager } from '@mikro-orm/postgresql';
import { runsOfSubject, startRun, wakeSubjectRuns } from '../../workflows/engine/index.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { needsApproval, type RefundLimits, type ResolutionAction, TERMINAL_TICKET_STATUSES, type TicketDecision } from '../domain/aftersales.ts';
import type { Clock } from '../domain/clock.ts';
import { AppError, notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { refundFor } from '../domain/refunds.ts';
import { loadLine } from '../orders/line-store.ts';
import { refundedUnits } from '../orders/refunds.ts';
import { firstWakeRow } from '../queues/enqueue.ts';
import { addOutboxJob, type OutboxJob } from '../queues/job-outbox.ts';
import { settleTicket } from './settlement.ts';
import type { StaffActor } from './staff-tickets.ts';
import { addTicketEvent, findTicketForStaff, lockTicketAndLine, setTicketDecision, type TicketRow } from './ticket-store.ts';

/**
 * Staff settling tickets (issue 19, admin part): resolve with an action, and an admin's answer to
 * a refund an agent asked above their limit. One transaction each: the ticket (conditional on its
 * `version`), its history, the audit entry, and the settlement or the decision the ticket's run
 * carries out (a reship or reissue: the run is woken, or a new one started if it had ended).
 */

export interface StaffResolutionDeps {
  em: EntityManager;
  clock: Clock;
  limits: RefundLimits;
  /** The runner's `schedule` (a wake-up on the queue). */
  scheduleRun: (runId: string, wakes: number, delayMs: number) => Promise<void>;
}

export interface StaffResolve {
  action: ResolutionAction;
  /** Units the resolution covers (default: the ticket's). */
  units?: number | undefined;
  /** Why, as the mall will read it. */
  note?: string | undefined;
  /** reship: the source to send from (default: routing chooses). */
  supplierId?: string | undefined;
}

export type StaffResolveOutcome = 'resolved' | 'rejected' | 'approval_requested' | 'carrying_out';


/** Locks the ticket for a staff write and checks it may still take one. */
async function lockForStaff(tx: EntityManager, ticketId: string, expectedVersion: number | undefined): Promise<TicketRow> {
  const t = await lockTicketAndLine(tx, ticketId);
  if (!t) throw notFound('after-sales ticket');
  if (expectedVersion !== undefined && t.version !== expectedVersion) {
    throw new AppError('conflict', `after-sales ticket ${ticketId} changed meanwhile: it is at version ${t.version}, not ${expectedVersion}; read it again`, { details: { expectedVersion, version: t.version } });
  }
  if (TERMINAL_TICKET_STATUSES.has(t.status)) throw new AppError('conflict', `after-sales ticket ${ticketId} is ${t.status}`, { details: { from: t.status, to: t.status } });
  return t;
}

/**
 * Resolves a ticket with an action. Refused, with nothing written: 409 when the ticket moved on
 * meanwhile (its `version`), is final, or the hub is already carrying out a decision; 422
 * `not_eligible` for an action that does not fit the line (reissue for goods, reship for a virtual
 * benefit) or more units than the ticket or the line has left. A refund above an agent's limit
 * becomes a request an admin approves (`approval_requested`).
 */
export async function staffResolve(deps: StaffResolutionDeps, ticketId: string, who: StaffActor & { role: 'agent' | 'admin' }, r: StaffResolve, expectedVersion?: number): Promise<{ outcome: StaffResolveOutcome; jobs: (OutboxJob & { rowId: string })[] }> {
  const result = await deps.em.transactional(async (tx) => {
    const t = await lockForStaff(tx, ticketId, expectedVersion);
    if (t.decision && t.waiting_on === 'hub') throw new AppError('conflict', `after-sales ticket ${ticketId}: the hub is carrying out ${t.decision.action} already`, { details: { reason: 'decision_under_way', action: t.decision.action } });
    if (t.approval && who.role === 'agent') throw new AppError('conflict', `after-sales ticket ${ticketId} waits for an admin to approve a refund`, { details: { reason: 'approval_pending', action: 'refund' } });
    const line = await loadLine(tx, t.line_id);
    const units = r.units ?? t.quantity;
    const unfit = (why: string) => new AppError('not_eligible', why, { details: { reason: 'action_unfit', action: r.action } });
    if (units > t.quantity) throw new AppError('not_eligible', `${units} units: the ticket is about ${t.quantity}`, { details: { reason: 'quantity_exceeded', action: r.action, asked: units, left: t.quantity } });
    if (r.action === 'reissue' && line.kind !== 'virtual') throw unfit('reissue is for virtual benefits; send goods again with reship');
    if ((r.action === 'reship' || r.action === 'return_to_supplier') && line.kind === 'virtual') throw unfit(`${r.action} is for goods; issue a virtual benefit again with reissue`);

    const decision: TicketDecision = { action: r.action, units: r.action === 'reject' ? 0 : units, by: 'staff', actor: who.actor.actorId, ...(r.note ? { note: r.note } : {}), ...(r.supplierId ? { supplierId: r.supplierId } : {}) };
    const now = deps.clock.now();
    const audit = (action: string, after: Record<string, unknown>) =>
      recordAudit(tx, deps.clock, { actor: who.actor, action, resourceType: 'aftersale_ticket', resourceId: ticketId, mallId: t.mall_id, before: { status: t.status, version: t.version, waitingOn: t.waiting_on }, after, requestId: who.requestId });

    if (r.action === 'refund') {
      const done = await refundedUnits(tx, t.line_id);
      if (units > line.quantity - done) throw new AppError('not_eligible', `${units} units to refund, ${line.quantity - done} left that were paid and not refunded`, { details: { reason: 'quantity_exceeded', action: 'refund', asked: units, left: line.quantity - done } });
      const refund = refundFor({ points: line.pointsPaid, cashFen: line.cashPaidFen }, line.quantity, done, units);
      if (needsApproval(who.role, refund, deps.limits)) {
        const approval = { decision, refund, requestedBy: who.actor.actorId, requestedAt: now.toISOString() };
        await setTicketDecision(tx, ticketId, { decision: null, approval, waitingOn: 'approval', at: now, version: t.version });
        await addTicketEvent(tx, { ticketId, at: now, actorType: who.actor.actorType, actorId: who.actor.actorId, kind: 'approval_requested', visibleToMall: false, data: { refund, units, limit: deps.limits } });
        audit('ticket.request_approval', { waitingOn: 'approval', refund, units });
        return { outcome: 'approval_requested' as const, job: null };
      }
    }
    if (r.action === 'refund' || r.action === 'reject' || r.action === 'return_to_supplier') {
      await settleTicket(tx, deps.clock, t, { decision, actor: who.actor, requestId: who.requestId });
      return { outcome: r.action === 'reject' ? ('rejected' as const) : ('resolved' as const), job: null };
    }
    await setTicketDecision(tx, ticketId, { decision, approval: null, waitingOn: 'hub', at: now, version: t.version });
    await addTicketEvent(tx, { ticketId, at: now, actorType: who.actor.actorType, actorId: who.actor.actorId, kind: 'decided', visibleToMall: false, data: { decision } });
    audit('ticket.decide', { decision, waitingOn: 'hub' });
    return { outcome: 'carrying_out' as const, job: await runFor(tx, deps, t) };
  });
  if (result.outcome === 'carrying_out' && !result.job) await wakeSubjectRuns(deps.em.fork(), deps.clock, deps.scheduleRun, ticketId);
  return { outcome: result.outcome, jobs: result.job ? [result.job] : [] };
}

/** The ticket's run to carry a decision out: none to start while one lives (it is woken after commit); a new one when the last has ended. */
async function runFor(tx: EntityManager, deps: StaffResolutionDeps, t: TicketRow): Promise<(OutboxJob & { rowId: string }) | null> {
  const runs = await runsOfSubject(tx, [t.id], ['settle-ticket']);
  if (runs.some((r) => ['pending', 'running', 'waiting', 'compensating'].includes(r.status))) return null;
  const runId = newId('wfr');
  await startRun(tx, { id: runId, workflow: 'settle-ticket', subjectId: t.id, tenant: t.mall_id, state: {} }, deps.clock.now());
  const wake = firstWakeRow(runId);
  return { ...wake, rowId: await addOutboxJob(tx, wake) };
}

/**
 * An admin's answer to a refund an agent asked above their limit: approved, it is refunded and the
 * ticket resolved (the agent's note, the admin as the one who settled it); declined, the ticket
 * goes back to the agent. 409 when no approval waits, or the ticket moved on (`version`).
 */
export async function answerApproval(deps: StaffResolutionDeps, ticketId: string, who: StaffActor, answer: { approve: boolean; note?: string | undefined }, expectedVersion?: number): Promise<'resolved' | 'declined'> {
  return deps.em.transactional(async (tx) => {
    const t = await lockForStaff(tx, ticketId, expectedVersion);
    if (!t.approval) throw new AppError('conflict', `after-sales ticket ${ticketId} has no refund waiting for approval`, { details: { reason: 'no_approval_pending', action: 'refund' } });
    const now = deps.clock.now();
    recordAudit(tx, deps.clock, {
      actor: who.actor, action: answer.approve ? 'ticket.approve' : 'ticket.decline', resourceType: 'aftersale_ticket', resourceId: ticketId, mallId: t.mall_id,
      before: { status: t.status, version: t.version, approval: t.approval }, after: { approved: answer.approve, ...(answer.note ? { note: answer.note } : {}) }, requestId: who.requestId,
    });
    if (answer.approve) {
      await settleTicket(tx, deps.clock, t, { decision: { ...t.approval.decision, actor: who.actor.actorId }, actor: who.actor, requestId: who.requestId });
      return 'resolved';
    }
    await setTicketDecision(tx, ticketId, { decision: null, approval: null, waitingOn: 'agent', at: now, version: t.version });
    await addTicketEvent(tx, { ticketId, at: now, actorType: who.actor.actorType, actorId: who.actor.actorId, kind: 'approval_declined', visibleToMall: false, data: { refund: t.approval.refund, ...(answer.note ? { note: answer.note } : {}) } });
    return 'declined';
  });
}

/** The ticket as it is now, for the answer. */
export const ticketNow = (em: EntityManager, ticketId: string) => findTicketForStaff(em, ticketId);
