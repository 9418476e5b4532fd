import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit } from '../audit/audit-log.ts';
import { type Resolution, settledStatus, type TicketDecision, TERMINAL_TICKET_STATUSES, type TicketType } from '../domain/aftersales.ts';
import type { Clock } from '../domain/clock.ts';
import type { ActorType } from '../domain/principal.ts';
import { lineEvent } from '../orders/line-store.ts';
import { recordSupplierRefund, refundUnits } from '../orders/refunds.ts';
import { addReplacementParcel } from '../supplier-events/timeline-store.ts';
import { addTicketEvent, settleTicketRow, type TicketRow } from './ticket-store.ts';

/**
 * Settling a ticket, whoever decided it (the hub on the evidence, or staff): the refund of its
 * units if it is one, what the supplier gives the hub back, the ticket's resolution, its history
 * entry and `aftersale.updated`, in the caller's transaction (which holds the line and the ticket:
 * lockTicketAndLine). Guarded: a ticket already settled is answered as it was.
 */

export interface Settlement {
  decision: TicketDecision;
  /** What the source supplier refunds the hub for returned or claimed units. */
  supplierRefund?: { supplierId: string; units: number; fen: number };
  shipment?: Resolution['shipment'];
  /** The supplier that sent `shipment` (its parcel joins the line's shipments). */
  shipmentSupplierId?: string;
  evidence?: Resolution['evidence'];
  /** Who settles it, for the history and (staff) the audit log. */
  actor: { actorType: ActorType; actorId: string };
  requestId?: string;
}

export async function settleTicket(tx: EntityManager, clock: Clock, t: TicketRow, s: Settlement): Promise<Resolution> {
  if (TERMINAL_TICKET_STATUSES.has(t.status)) return (t.resolution as Resolution | null) ?? { action: 'reject', units: 0, by: 'hub', note: `ticket was ${t.status}` };
  const d = s.decision;
  const resolution: Resolution = { action: d.action, units: d.units, by: d.by };
  if (d.action === 'refund' && d.units > 0) {
    const refund = await refundUnits(tx, clock, t.line_id, { units: d.units, reason: `after-sales ${t.type}: ${t.reason}`, ref: `ticket:${t.id}`, ticketId: t.id });
    resolution.refund = { points: refund.points, cashFen: refund.cashFen };
  }
  if (s.supplierRefund && s.supplierRefund.fen > 0) {
    await recordSupplierRefund(tx, clock, t.line_id, { ...s.supplierRefund, ref: `supplier-refund:${t.id}`, reason: `after-sales ${t.type} ${t.id}` });
  }
  if (s.shipment) {
    resolution.shipment = s.shipment;
    if (s.shipment.carrier && s.shipment.trackingNo && s.shipmentSupplierId) {
      await addReplacementParcel(tx, clock, { lineId: t.line_id, supplierId: s.shipmentSupplierId, supplierOrderId: s.shipment.supplierOrderId, carrier: s.shipment.carrier, trackingNo: s.shipment.trackingNo });
    }
  }
  if (s.evidence) resolution.evidence = s.evidence;
  if (d.note) resolution.note = d.note;
  const status = settledStatus(d.action);
  const now = clock.now();
  await settleTicketRow(tx, t.id, { status, resolution, resolvedBy: d.by === 'hub' ? 'hub' : (d.actor ?? s.actor.actorId), at: now });
  await addTicketEvent(tx, { ticketId: t.id, at: now, actorType: s.actor.actorType, actorId: s.actor.actorId, kind: status, visibleToMall: true, data: { resolution } });
  await lineEvent(tx, clock, { mallId: t.mall_id, orderId: t.order_id, mallOrderId: t.mall_order_id, lineId: t.mall_line_id }, 'aftersale.updated', {
    ticketId: t.id, type: t.type as TicketType, status, quantity: t.quantity, change: status, resolution,
  });
  if (s.actor.actorType === 'agent' || s.actor.actorType === 'admin') {
    recordAudit(tx, clock, {
      actor: s.actor, action: 'ticket.resolve', resourceType: 'aftersale_ticket', resourceId: t.id, mallId: t.mall_id,
      before: { status: t.status, version: t.version }, after: { status, resolution }, requestId: s.requestId ?? null,
    });
  }
  return resolution;
}

/**
 * A step of the ticket's progress the mall hears about (`progress`): the supplier answered, a
 * replacement shipped. `internal` entries are notes for staff only, and nothing is sent.
 */
export async function noteProgress(tx: EntityManager, clock: Clock, t: TicketRow, status: TicketRow['status'], note: string, data: Record<string, unknown>, internal = false): Promise<void> {
  const now = clock.now();
  await addTicketEvent(tx, { ticketId: t.id, at: now, actorType: 'system', actorId: null, kind: 'progress', visibleToMall: !internal, data: { note, ...data } });
  if (internal) return;
  await lineEvent(tx, clock, { mallId: t.mall_id, orderId: t.order_id, mallOrderId: t.mall_order_id, lineId: t.mall_line_id }, 'aftersale.updated', {
    ticketId: t.id, type: t.type as TicketType, status, quantity: t.quantity, change: 'progress',
  });
}
