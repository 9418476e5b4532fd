import type { EntityManager } from '@mikro-orm/postgresql';
import { findTicketForStaff, lockTicketAndLine, setTicketProgress, type TicketRow } from '../../src/aftersales/ticket-store.ts';
import { noteProgress } from '../../src/aftersales/settlement.ts';
import { TERMINAL_TICKET_STATUSES, type TicketDecision, type WaitingOn } from '../../src/domain/aftersales.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { StepContext, StepOutcome } from '../engine/types.ts';
import type { TicketState } from './services.ts';
import { AWAIT_AGENT, SETTLE } from './step-ids.ts';

/** The ticket a run settles (any mall's: the run is the hub's). */
export async function ticketOf(ctx: StepContext<TicketState>): Promise<TicketRow> {
  const t = await findTicketForStaff(ctx.em, ctx.subjectId);
  if (!t) throw new Error(`after-sales ticket ${ctx.subjectId} not found`);
  return t;
}

/**
 * What every step asks first: a ticket already settled or withdrawn ends the run (staff settled
 * it, or the mall gave up); a decision staff took meanwhile is carried out at once.
 */
export function preempted(t: TicketRow): StepOutcome<TicketState> | null {
  if (TERMINAL_TICKET_STATUSES.has(t.status)) return { done: true, output: { ticket: t.status } };
  if (t.decision) return { next: SETTLE, state: { decision: t.decision }, output: { decision: t.decision.action, by: t.decision.by } };
  return null;
}

/** Moves the ticket on (in progress, waiting on someone), with a history entry, under its lock; `internal` keeps the mall out of it. */
export async function progress(tx: EntityManager, clock: Clock, ticketId: string, waitingOn: WaitingOn, note: string, data: Record<string, unknown> = {}, opts: { internal?: boolean; supplier?: { supplierId: string; afterSaleId: string } } = {}): Promise<void> {
  const t = await lockTicketAndLine(tx, ticketId);
  if (!t || TERMINAL_TICKET_STATUSES.has(t.status)) return;
  await setTicketProgress(tx, ticketId, { status: 'in_progress', waitingOn, at: clock.now(), ...(opts.supplier ? { supplier: opts.supplier } : {}) });
  await noteProgress(tx, clock, t, 'in_progress', note, { waitingOn, ...data }, opts.internal);
  // An internal note still tells the mall once that its ticket is being worked on.
  if (opts.internal && t.status === 'open') await noteProgress(tx, clock, t, 'in_progress', 'being looked at', { waitingOn: 'hub' });
}

/** Hands the ticket to an agent with the reason (an internal note: the mall hears only that the ticket is being looked at). */
export function toAgent(ctx: StepContext<TicketState>, why: string, data: Record<string, unknown> = {}): StepOutcome<TicketState> {
  return { next: AWAIT_AGENT, output: { toAgent: why }, commit: (tx) => progress(tx, ctx.clock, ctx.subjectId, 'agent', why, data, { internal: true }) };
}

/** The hub decides by itself: the evidence settled the claim. */
export function hubDecides(action: TicketDecision['action'], units: number, note: string): TicketDecision {
  return { action, units, by: 'hub', note };
}
