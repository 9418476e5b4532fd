import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type AftersaleConfig, canMoveTicket, type Resolution, type WaitingOn, eligibility, TERMINAL_TICKET_STATUSES, type TicketEventKind, type TicketStatus, type TicketType, ticketDueTimes } from '../domain/aftersales.ts';
import type { Clock } from '../domain/clock.ts';
import { AppError, notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { startRun } from '../../workflows/engine/index.ts';
import { lineEvent } from '../orders/line-store.ts';
import { firstWakeRow } from '../queues/enqueue.ts';
import { addOutboxJob, type OutboxJob } from '../queues/job-outbox.ts';
import { canonical } from '../orders/intake.ts';
import { addTicketEvent, eligibilityFacts, findTicket, insertTicket, lockMallLine, mallHasOrder, mallVisibleHistory, type TicketRow, ticketByKey, ticketsOfOrder, updateTicket } from './ticket-store.ts';

/**
 * After-sales tickets a mall opens, adds evidence to and withdraws (issue 19, first part). Every
 * change is one transaction: the ticket, an entry of its history and an `aftersale.updated` event
 * in the order's `seq`. Refusals write nothing.
 */

export interface TicketDeps {
  em: EntityManager;
  clock: Clock;
  config: AftersaleConfig;
}

/** POST /v1/orders/{orderId}/after-sales as validated by the route. */
export interface OpenTicketRequest {
  lineId: string;
  type: TicketType;
  reason: string;
  quantity?: number | undefined;
  photos?: string[] | undefined;
}

export interface Waybill {
  carrier: string;
  trackingNo: string;
}

/** A ticket as the mall reads it. */
export interface TicketView {
  ticketId: string;
  orderId: string;
  mallOrderId: string;
  lineId: string;
  type: TicketType;
  status: TicketStatus;
  quantity: number;
  reason: string;
  photos: string[];
  /** What the ticket waits on while in progress (null once settled, or not yet looked at). */
  waitingOn: WaitingOn | null;
  resolution: Resolution | null;
  firstResponseDueAt: string;
  resolutionDueAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface TicketHistoryEntry {
  at: string;
  actor: 'mall' | 'staff' | 'system';
  kind: TicketEventKind;
  data: { type?: TicketType; quantity?: number; reason?: string; photos?: string[]; comment?: string; returnWaybill?: Waybill; note?: string; waitingOn?: WaitingOn; resolution?: Resolution };
}

export function ticketView(t: TicketRow): TicketView {
  return {
    ticketId: t.id, orderId: t.order_id, mallOrderId: t.mall_order_id, lineId: t.mall_line_id, type: t.type, status: t.status, quantity: t.quantity, reason: t.reason,
    photos: t.photos, waitingOn: t.waiting_on, resolution: (t.resolution as Resolution | null) ?? null, firstResponseDueAt: new Date(t.first_response_due_at).toISOString(), resolutionDueAt: new Date(t.resolution_due_at).toISOString(),
    createdAt: new Date(t.created_at).toISOString(), updatedAt: new Date(t.updated_at).toISOString(),
  };
}

/** Thrown inside the transaction when another request took the key first: rolled back, then answered as a repeat. */
class KeyTaken extends Error {}

/**
 * Opens a ticket on a line of the mall's order, idempotent on the mall's key: the same key and
 * body answer the ticket it made (`created: false`), another body 409 `idempotency_conflict`.
 * Refused, with nothing written: 404 for a line the mall does not have, 409 `conflict` for a
 * second open ticket of the type on the line, 422 `not_eligible` (`details.reason`) otherwise.
 */
export async function openTicket(deps: TicketDeps, mallId: string, orderId: string, key: string, req: OpenTicketRequest): Promise<{ created: boolean; ticket: TicketView; jobs: (OutboxJob & { rowId: string })[] }> {
  const requestHash = createHash('sha256').update(canonical({ orderId, ...req })).digest('hex');
  const repeat = async (): Promise<{ created: false; ticket: TicketView; jobs: [] } | null> => {
    const existing = await ticketByKey(deps.em, mallId, key);
    if (!existing) return null;
    if (existing.request_hash !== requestHash) throw new AppError('idempotency_conflict', 'this Idempotency-Key was used with another request body');
    return { created: false, ticket: ticketView(existing), jobs: [] };
  };
  const before = await repeat();
  if (before) return before;
  try {
    const { ticketId, job } = await deps.em.transactional(async (tx) => {
      const line = await lockMallLine(tx, mallId, orderId, req.lineId);
      if (!line) throw notFound('order line');
      const facts = await eligibilityFacts(tx, line.id);
      const now = deps.clock.now();
      const quantity = req.quantity ?? line.quantity;
      const verdict = eligibility(req.type, quantity, facts, now, deps.config, line.quantity);
      if (!verdict.ok) {
        if (verdict.reason === 'duplicate_open_ticket') throw new AppError('conflict', verdict.message);
        throw new AppError('not_eligible', verdict.message, { details: { reason: verdict.reason, ticketType: req.type } });
      }
      const id = newId('ast');
      const due = ticketDueTimes(req.type, now, deps.config);
      const photos = req.photos ?? [];
      if (!(await insertTicket(tx, { id, mallId, orderId, lineId: line.id, type: req.type, quantity, reason: req.reason, photos, idempotencyKey: key, requestHash, firstResponseDueAt: due.firstResponseDueAt, resolutionDueAt: due.resolutionDueAt, at: now }))) {
        throw new KeyTaken();
      }
      await addTicketEvent(tx, { ticketId: id, at: now, actorType: 'mall', actorId: mallId, kind: 'opened', visibleToMall: true, data: { type: req.type, quantity, reason: req.reason, photos } });
      await lineEvent(tx, deps.clock, { mallId, orderId, mallOrderId: line.mallOrderId, lineId: req.lineId }, 'aftersale.updated', { ticketId: id, type: req.type, status: 'open', quantity, change: 'opened' });
      // Its settling run (workflows/tickets), committed with it: a ticket is never left unworked.
      const runId = newId('wfr');
      await startRun(tx, { id: runId, workflow: 'settle-ticket', subjectId: id, tenant: mallId }, now);
      const wake = firstWakeRow(runId);
      const rowId = await addOutboxJob(tx, wake);
      return { ticketId: id, job: { ...wake, rowId } };
    });
    const ticket = await findTicket(deps.em, mallId, ticketId);
    return { created: true, ticket: ticketView(ticket as TicketRow), jobs: [job] };
  } catch (err) {
    if (!(err instanceof KeyTaken)) throw err;
    const after = await repeat();
    if (after) return after;
    throw new Error(`after-sales key ${key} was taken, but no ticket holds it`);
  }
}

/** The tickets of one of the mall's orders (404 for an order it does not have). */
export async function listOrderTickets(em: EntityManager, mallId: string, orderId: string): Promise<TicketView[]> {
  if (!(await mallHasOrder(em, mallId, orderId))) throw notFound('order');
  return (await ticketsOfOrder(em, mallId, orderId)).map(ticketView);
}

const ACTOR: Record<string, TicketHistoryEntry['actor']> = { mall: 'mall', system: 'system' };

/** What of a history entry the mall reads: the documented fields (the hub keeps more for staff: supplier statuses, steps). */
const MALL_HISTORY_FIELDS = ['type', 'quantity', 'reason', 'photos', 'comment', 'returnWaybill', 'note', 'waitingOn', 'resolution'] as const;
function mallData(data: Record<string, unknown>): TicketHistoryEntry['data'] {
  return Object.fromEntries(MALL_HISTORY_FIELDS.filter((k) => data[k] !== undefined).map((k) => [k, data[k]]));
}

/** One of the mall's tickets with the history it may see (404 for another mall's). */
export async function getTicket(em: EntityManager, mallId: string, ticketId: string): Promise<TicketView & { history: TicketHistoryEntry[] }> {
  const t = await findTicket(em, mallId, ticketId);
  if (!t) throw notFound('after-sales ticket');
  const history = (await mallVisibleHistory(em, ticketId)).map((h) => ({ at: new Date(h.at).toISOString(), actor: ACTOR[h.actor_type] ?? 'staff', kind: h.kind, data: mallData(h.data) }));
  return { ...ticketView(t), history };
}

/** A change the mall makes to one of its tickets: its history entry, the ticket, and `aftersale.updated`, in one transaction. */
async function changeTicket(
  deps: TicketDeps,
  mallId: string,
  ticketId: string,
  change: (t: TicketRow) => { status: TicketStatus; photos: string[]; kind: 'evidence_added' | 'withdrawn'; data: TicketHistoryEntry['data'] },
): Promise<TicketView> {
  await deps.em.transactional(async (tx) => {
    const t = await findTicket(tx, mallId, ticketId, true);
    if (!t) throw notFound('after-sales ticket');
    const next = change(t);
    if (!canMoveTicket(t.status, next.status)) throw new AppError('conflict', `after-sales ticket ${ticketId} is ${t.status}: it cannot be ${next.kind === 'withdrawn' ? 'withdrawn' : 'changed'}`, { details: { from: t.status, to: next.status } });
    const now = deps.clock.now();
    await updateTicket(tx, ticketId, { status: next.status, photos: next.photos, at: now });
    await addTicketEvent(tx, { ticketId, at: now, actorType: 'mall', actorId: mallId, kind: next.kind, visibleToMall: true, data: next.data });
    await lineEvent(tx, deps.clock, { mallId, orderId: t.order_id, mallOrderId: t.mall_order_id, lineId: t.mall_line_id }, 'aftersale.updated', { ticketId, type: t.type, status: next.status, quantity: t.quantity, change: next.kind });
  });
  return ticketView((await findTicket(deps.em, mallId, ticketId)) as TicketRow);
}

/** Adds photos, a comment or a return waybill to an open or in-progress ticket (409 `conflict` once it is closed). */
export function addEvidence(deps: TicketDeps, mallId: string, ticketId: string, ev: { photos?: string[] | undefined; comment?: string | undefined; returnWaybill?: Waybill | undefined }): Promise<TicketView> {
  return changeTicket(deps, mallId, ticketId, (t) => {
    if (t.status !== 'open' && t.status !== 'in_progress') throw new AppError('conflict', `after-sales ticket ${ticketId} is ${t.status}: evidence is added to open tickets only`, { details: { from: t.status, to: t.status } });
    const data: TicketHistoryEntry['data'] = {};
    if (ev.photos?.length) data.photos = ev.photos;
    if (ev.comment !== undefined) data.comment = ev.comment;
    if (ev.returnWaybill) data.returnWaybill = ev.returnWaybill;
    return { status: t.status, photos: [...t.photos, ...(ev.photos ?? [])], kind: 'evidence_added', data };
  });
}

/** Withdraws a ticket the mall opened (409 `conflict` when it is already resolved, rejected or withdrawn). */
export function withdrawTicket(deps: TicketDeps, mallId: string, ticketId: string, reason: string): Promise<TicketView> {
  return changeTicket(deps, mallId, ticketId, (t) => {
    if (TERMINAL_TICKET_STATUSES.has(t.status)) throw new AppError('conflict', `after-sales ticket ${ticketId} is ${t.status}: it cannot be withdrawn`, { details: { from: t.status, to: 'withdrawn' } });
    // A replacement already being sent (or issued) cannot be called back by withdrawing the ticket.
    if (t.decision && t.waiting_on === 'hub') throw new AppError('conflict', `after-sales ticket ${ticketId} is being settled (${t.decision.action}): it can no longer be withdrawn`, { details: { from: t.status, to: 'withdrawn' } });
    return { status: 'withdrawn', photos: t.photos, kind: 'withdrawn', data: { reason } };
  });
}
