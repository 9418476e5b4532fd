import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from '../audit/audit-log.ts';
import { statusAfterStaffAction, TERMINAL_TICKET_STATUSES, type TicketEventKind, type TicketStatus, type TicketType, ticketOverdue } from '../domain/aftersales.ts';
import type { Clock } from '../domain/clock.ts';
import { AppError, notFound } from '../domain/errors.ts';
import type { LineStatus } from '../domain/order-status.ts';
import type { ActorType } from '../domain/principal.ts';
import { type Recipient, recipientForStaff, type StaffRecipient } from '../domain/recipient.ts';
import type { ItemKind } from '../domain/supplier-shapes.ts';
import { lineEvent } from '../orders/line-store.ts';
import type { TimelineEntry } from '../orders/order-timeline.ts';
import { staffOrderTimeline } from '../orders/staff-orders.ts';
import type { CryptoBox } from '../security/crypto-box.ts';
import { addTicketEvent, applyStaffChange, findTicketForStaff, fullHistory, listTicketsForStaff, orderForStaff, type StaffTicketFilter, type TicketRow } from './ticket-store.ts';
import { type TicketView, ticketView } from './tickets.ts';

/**
 * After-sales tickets as the hub's staff work them (issue 19, admin part): the list across malls,
 * one ticket with its whole history and its order (the recipient masked for an agent, in full and
 * audited for an admin), and the staff actions, assign and comment. Each action is one transaction:
 * the ticket (conditional on its `version`), a history entry, an audit entry, and
 * `aftersale.updated` when the mall may see it. The first staff action takes an `open` ticket
 * `in_progress` and sets its first response time.
 */

export interface StaffTicketDeps {
  em: EntityManager;
  clock: Clock;
  crypto: CryptoBox;
  /** Workflows whose runs the order's timeline shows (the hub's registry). */
  workflows?: readonly string[];
}

/** Who is acting, for history and audit entries. */
export interface StaffActor {
  actor: { actorType: ActorType; actorId: string };
  requestId: string;
}

/** A ticket as staff read it. */
export interface StaffTicketView extends TicketView {
  mallId: string;
  assignee: string | null;
  version: number;
  firstRespondedAt: string | null;
  overdue: boolean;
  /** A refund an agent decided above their limit, waiting for an admin. */
  approval: { refund: { points: number; cashFen: number }; units: number; requestedBy: string; requestedAt: string } | null;
}

export interface StaffHistoryEntry {
  at: string;
  actorType: ActorType;
  actorId: string | null;
  kind: TicketEventKind;
  visibleToMall: boolean;
  data: Record<string, unknown>;
}

export interface StaffTicketDetail extends StaffTicketView {
  history: StaffHistoryEntry[];
  order: {
    orderId: string;
    mallOrderId: string;
    recipient: StaffRecipient | null;
    lines: { lineId: string; skuId: string; kind: ItemKind; quantity: number; status: LineStatus; qtyFulfilled: number }[];
    /** The order's merged timeline (lines, runs, supplier calls, parcels, webhooks, tickets, refunds, staff). */
    timeline: TimelineEntry[];
  };
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function staffTicketView(t: TicketRow, now: Date): StaffTicketView {
  return {
    ...ticketView(t),
    mallId: t.mall_id,
    assignee: t.assignee,
    version: t.version,
    firstRespondedAt: iso(t.first_responded_at),
    overdue: ticketOverdue({ status: t.status, firstResponseDueAt: new Date(t.first_response_due_at), resolutionDueAt: new Date(t.resolution_due_at), firstRespondedAt: t.first_responded_at && new Date(t.first_responded_at) }, now),
    approval: t.approval ? { refund: t.approval.refund, units: t.approval.decision.units, requestedBy: t.approval.requestedBy, requestedAt: t.approval.requestedAt } : null,
  };
}

/** Tickets of every mall, newest first, `limit + 1` rows (the route cuts them into a page). */
export async function listStaffTickets(em: EntityManager, clock: Clock, filter: Omit<StaffTicketFilter, 'now'>): Promise<(StaffTicketView & { id: string })[]> {
  const now = clock.now();
  return (await listTicketsForStaff(em, { ...filter, now })).map((t) => ({ ...staffTicketView(t, now), id: t.id }));
}

/**
 * One ticket with its whole history and its order. An agent reads the recipient masked (`张*`,
 * `138****5678`, the street address hidden); an admin reads it in full, and that read is written to
 * the audit log (`ticket.read_personal_data`) before it is answered.
 */
export async function getStaffTicket(deps: StaffTicketDeps, ticketId: string, who: StaffActor & { role: 'agent' | 'admin' }): Promise<StaffTicketDetail> {
  const t = await findTicketForStaff(deps.em, ticketId);
  if (!t) throw notFound('after-sales ticket');
  const [history, order, timeline] = await Promise.all([fullHistory(deps.em, ticketId), orderForStaff(deps.em, t.order_id), staffOrderTimeline({ em: deps.em, workflows: deps.workflows ?? [] }, t.order_id, who.role)]);
  let recipient: StaffRecipient | null = null;
  if (order.recipient) {
    const r = JSON.parse(deps.crypto.open(order.recipient)) as Recipient;
    const full = who.role === 'admin';
    if (full) {
      await deps.em.transactional(async (tx) => {
        recordAudit(tx, deps.clock, { actor: who.actor, action: 'ticket.read_personal_data', resourceType: 'aftersale_ticket', resourceId: ticketId, mallId: t.mall_id, after: { orderId: t.order_id, fields: ['recipient'] }, requestId: who.requestId });
      });
    }
    recipient = recipientForStaff(r, full);
  }
  return {
    ...staffTicketView(t, deps.clock.now()),
    history: history.map((h) => ({ at: new Date(h.at).toISOString(), actorType: h.actor_type as ActorType, actorId: h.actor_id, kind: h.kind, visibleToMall: h.visible_to_mall, data: h.data })),
    order: {
      orderId: t.order_id,
      mallOrderId: t.mall_order_id,
      recipient,
      lines: order.lines.map((l) => ({ lineId: l.line_id, skuId: l.sku_id, kind: l.kind, quantity: l.quantity, status: l.status, qtyFulfilled: l.qty_fulfilled })),
      timeline,
    },
  };
}

/** A staff action on a ticket. */
export type StaffAction = { kind: 'assigned'; assignee: string } | { kind: 'comment'; text: string; visibleToMall: boolean };

const conflict = (ticketId: string, expected: number, version: number) =>
  new AppError('conflict', `after-sales ticket ${ticketId} changed meanwhile: it is at version ${version}, not ${expected}; read it again`, { details: { expectedVersion: expected, version } });

/**
 * Applies a staff action, once. With `expectedVersion` (the body's, or `If-Match`), a ticket at
 * another version is 409 `conflict` and nothing is written; without it the action applies to the
 * ticket as it is. Either way the row is locked and the update is conditional on the version read,
 * so two actions at once are applied one after the other, never both on the same version.
 * A resolved, rejected or withdrawn ticket is 409 `conflict`.
 */
export async function staffAct(deps: StaffTicketDeps, ticketId: string, who: StaffActor, action: StaffAction, expectedVersion?: number): Promise<StaffTicketView> {
  await deps.em.transactional(async (tx) => {
    const t = await findTicketForStaff(tx, ticketId, true);
    if (!t) throw notFound('after-sales ticket');
    if (expectedVersion !== undefined && t.version !== expectedVersion) throw conflict(ticketId, expectedVersion, t.version);
    if (TERMINAL_TICKET_STATUSES.has(t.status)) throw new AppError('conflict', `after-sales ticket ${ticketId} is ${t.status}: staff act on open tickets only`, { details: { from: t.status, to: t.status } });
    const now = deps.clock.now();
    const status: TicketStatus = statusAfterStaffAction(t.status);
    const assignee = action.kind === 'assigned' ? action.assignee : t.assignee;
    const version = await applyStaffChange(tx, ticketId, t.version, { status, assignee, firstRespondedAt: now, at: now });
    if (version === undefined) throw conflict(ticketId, t.version, t.version + 1);
    const visibleToMall = action.kind === 'comment' && action.visibleToMall;
    const data = action.kind === 'assigned' ? { assignee, previousAssignee: t.assignee } : { comment: action.text };
    await addTicketEvent(tx, { ticketId, at: now, actorType: who.actor.actorType, actorId: who.actor.actorId, kind: action.kind, visibleToMall, data });
    recordAudit(tx, deps.clock, {
      actor: who.actor,
      action: action.kind === 'assigned' ? 'ticket.assign' : 'ticket.comment',
      resourceType: 'aftersale_ticket',
      resourceId: ticketId,
      mallId: t.mall_id,
      before: { status: t.status, assignee: t.assignee, version: t.version },
      after: { status, assignee, version, ...(action.kind === 'comment' ? { comment: action.text, visibleToMall } : {}) },
      requestId: who.requestId,
    });
    if (visibleToMall) {
      await lineEvent(tx, deps.clock, { mallId: t.mall_id, orderId: t.order_id, mallOrderId: t.mall_order_id, lineId: t.mall_line_id }, 'aftersale.updated', { ticketId, type: t.type as TicketType, status, quantity: t.quantity, change: 'comment' });
    }
  });
  return staffTicketView((await findTicketForStaff(deps.em, ticketId)) as TicketRow, deps.clock.now());
}
