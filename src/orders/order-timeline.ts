import type { EntityManager } from '@mikro-orm/postgresql';
import { runHistory, runsOfSubject, type SubjectRunRow } from '../../workflows/engine/index.ts';
import { fullHistory, ticketsOfOrder } from '../aftersales/ticket-store.ts';
import { auditTrail } from '../audit/audit-trail.ts';
import { TICKET_EVENT_KINDS } from '../domain/aftersales.ts';
import { TRACKING_STATUSES } from '../domain/supplier-shapes.ts';
import { MALL_EVENT_TYPES } from '../mall-webhooks/event-schemas.ts';
import { attemptsOf, listDeliveries } from '../mall-webhooks/webhook-delivery-queries.ts';
import { MallEventSchema } from '../persistence/entities/mall-event.ts';
import { shipmentsOfLines, trackingEventsOf } from '../supplier-events/tracking-history-store.ts';
import { attemptsOfLines, ledgerOfLines, type StaffLineRow, type StaffOrderRow } from './staff-order-store.ts';

/**
 * One timeline of everything that happened to an order, for the hub's staff (GET
 * /admin/orders/{orderId}, issue 19): its lines' moves and every event told to the mall, the
 * workflow steps of its lines and tickets, the attempts at suppliers and their costs, parcels and
 * their tracking, webhook deliveries, after-sales tickets (internal notes included), refunds, and
 * what staff did to it, merged and sorted by time. No entry carries personal data (the recipient and
 * recharge accounts stay out of it): what an agent may not see is shown, masked, beside it.
 */

export const TIMELINE_SOURCES = ['line', 'workflow', 'supplier', 'shipment', 'tracking', 'webhook', 'ticket', 'refund', 'staff'] as const;
export type TimelineSource = (typeof TIMELINE_SOURCES)[number];

/** Step statuses the engine records (workflow_step.status). */
const STEP_STATUSES = ['succeeded', 'failed', 'compensating', 'compensated', 'compensation_failed'] as const;
/** What happened, by source: every kind of entry, as a closed list. */
export const TIMELINE_KINDS = [
  // line: the line created, then every event told to the mall about the order (its `type`)
  'line.created',
  ...MALL_EVENT_TYPES.filter((t) => t !== 'catalog.changed'),
  // workflow
  ...STEP_STATUSES.map((s) => `step.${s}`),
  // supplier
  'attempt.created',
  'attempt.updated',
  'cost.booked',
  'freight.booked',
  // shipment, tracking
  'shipment.created',
  'shipment.shipped',
  'shipment.delivered',
  ...TRACKING_STATUSES.map((s) => `tracking.${s}`),
  // webhook
  'delivery.attempt',
  'delivery.delivered',
  'delivery.dead',
  // ticket
  ...TICKET_EVENT_KINDS.map((k) => `ticket.${k}`),
  // refund
  'refund.written',
  'supplier_refund.written',
  // staff
  'staff.action',
] as unknown as readonly [string, ...string[]];
export type TimelineKind = string;

export interface TimelineEntry {
  at: string;
  source: TimelineSource;
  kind: TimelineKind;
  /** The mall's line id, when the entry concerns one line. */
  lineId?: string;
  /** One line for people (ids, statuses, suppliers: never personal data). */
  summary: string;
  data: Record<string, unknown>;
}

/** The line workflows' ids and the other workflows whose runs an order's timeline shows (its tickets'). */
export interface TimelineDeps {
  em: EntityManager;
  /** Workflows whose runs have an order's lines or tickets as subject. */
  workflows: readonly string[];
}

const iso = (d: Date | string) => new Date(d).toISOString();

/** The order's runs (its lines' and its tickets'), for the timeline and the lines' current state. */
export async function runsOfOrder(deps: TimelineDeps, lineIds: readonly string[], ticketIds: readonly string[]): Promise<SubjectRunRow[]> {
  return runsOfSubject(deps.em, [...lineIds, ...ticketIds], deps.workflows);
}

/** Builds the order's timeline, oldest first (entries at the same time keep the order they were read in: roughly cause before effect). */
export async function orderTimeline(deps: TimelineDeps, order: StaffOrderRow, lines: readonly StaffLineRow[]): Promise<{ timeline: TimelineEntry[]; runs: SubjectRunRow[] }> {
  const { em } = deps;
  const lineIds = lines.map((l) => l.id);
  const mallLineId = new Map(lines.map((l) => [l.id, l.line_id]));
  const lineOf = (id: string | null | undefined) => (id ? mallLineId.get(id) : undefined);
  const tickets = await ticketsOfOrder(em, order.mall_id, order.id);
  const ticketLine = new Map(tickets.map((t) => [t.id, t.mall_line_id]));
  const runs = await runsOfOrder(deps, lineIds, tickets.map((t) => t.id));
  const [attempts, ledger, shipments, events, deliveries, histories, steps] = await Promise.all([
    attemptsOfLines(em, lineIds),
    ledgerOfLines(em, lineIds),
    shipmentsOfLines(em, lineIds),
    em.fork().find(MallEventSchema, { orderId: order.id }, { orderBy: { seq: 'asc' } }),
    listDeliveries(em.fork(), { orderId: order.id, limit: 10_000 }),
    Promise.all(tickets.map(async (t) => ({ ticket: t, history: await fullHistory(em.fork(), t.id) }))),
    Promise.all(runs.map(async (r) => ({ run: r, steps: await runHistory(em.fork(), r.id) }))),
  ]);
  const [tracking, deliveryAttempts, staff] = await Promise.all([
    trackingEventsOf(em, shipments.map((s) => s.id)),
    attemptsOf(em.fork(), deliveries.map((d) => d.id)),
    auditTrail(em.fork(), {
      resourceTypes: ['mall_order', 'order_line', 'aftersale_ticket', 'workflow_run'],
      resourceIds: [order.id, ...lineIds, ...tickets.map((t) => t.id), ...runs.map((r) => r.id)],
      actorTypes: ['agent', 'admin'],
    }),
  ]);

  const out: TimelineEntry[] = [];
  const push = (e: Omit<TimelineEntry, 'lineId'> & { lineId?: string | undefined }) => {
    const { lineId, ...rest } = e;
    out.push(lineId === undefined ? rest : { ...rest, lineId });
  };

  for (const l of lines) {
    push({ at: iso(l.created_at), source: 'line', kind: 'line.created', lineId: l.line_id, summary: `line ${l.line_id}: ${l.quantity} × ${l.sku_id} (${l.kind}) accepted`, data: { skuId: l.sku_id, kind: l.kind, quantity: l.quantity } });
  }

  for (const { run, steps: rows } of steps) {
    const lineId = lineOf(run.subject_id) ?? ticketLine.get(run.subject_id);
    for (const s of rows) {
      const what = s.compensates ? `undo of ${s.step} (#${s.compensates})` : s.step;
      push({
        at: iso(s.finished_at),
        source: 'workflow',
        kind: `step.${s.status}`,
        lineId,
        summary: `${run.workflow} ${what}: ${s.status}${s.attempts > 1 ? ` after ${s.attempts} attempts` : ''}${s.error ? ` (${s.error})` : ''}`,
        data: { runId: run.id, workflow: run.workflow, subjectId: run.subject_id, seq: s.seq, step: s.step, status: s.status, attempts: s.attempts, compensates: s.compensates, error: s.error, output: s.output, startedAt: iso(s.started_at) },
      });
    }
  }

  for (const a of attempts) {
    const lineId = lineOf(a.line_id);
    push({ at: iso(a.created_at), source: 'supplier', kind: 'attempt.created', lineId, summary: `attempt ${a.seq} at ${a.supplier_id} (reference ${a.reference})`, data: { attemptId: a.id, seq: a.seq, supplierId: a.supplier_id, supplierSkuId: a.supplier_sku_id, reference: a.reference } });
    if (a.status !== 'pending' || new Date(a.updated_at).getTime() !== new Date(a.created_at).getTime()) {
      push({
        at: iso(a.updated_at),
        source: 'supplier',
        kind: 'attempt.updated',
        lineId,
        summary: `attempt ${a.seq} at ${a.supplier_id}: ${a.status}${a.supplier_order_id ? ` (supplier order ${a.supplier_order_id})` : ''}${a.failure_reason ? `: ${a.failure_reason}` : ''}`,
        data: { attemptId: a.id, seq: a.seq, supplierId: a.supplier_id, status: a.status, supplierOrderId: a.supplier_order_id, costFen: a.cost_fen, freightFen: a.freight_fen, failureReason: a.failure_reason },
      });
    }
  }

  for (const e of ledger) {
    const lineId = lineOf(e.line_id);
    const base = { ledgerId: e.id, units: e.units, reason: e.reason, ref: e.ref, supplierId: e.supplier_id, attemptId: e.attempt_id };
    if (e.entry === 'supplier_cost' || e.entry === 'freight') {
      push({ at: iso(e.at), source: 'supplier', kind: e.entry === 'freight' ? 'freight.booked' : 'cost.booked', lineId, summary: `${e.entry === 'freight' ? 'freight' : 'cost'} at ${e.supplier_id}: ${e.fen} fen for ${e.units} unit(s)`, data: { ...base, fen: e.fen } });
    } else if (e.entry === 'refund') {
      push({ at: iso(e.at), source: 'refund', kind: 'refund.written', lineId, summary: `refund of ${e.units} unit(s): ${-e.points} points, ${-e.fen} fen${e.reason ? ` (${e.reason})` : ''}`, data: { ...base, points: -e.points, cashFen: -e.fen } });
    } else {
      push({ at: iso(e.at), source: 'refund', kind: 'supplier_refund.written', lineId, summary: `${e.supplier_id} refunds ${e.fen} fen for ${e.units} unit(s)${e.reason ? ` (${e.reason})` : ''}`, data: { ...base, fen: e.fen } });
    }
  }

  const shipmentById = new Map(shipments.map((s) => [s.id, s]));
  for (const s of shipments) {
    const lineId = lineOf(s.line_id);
    const parcel = { shipmentId: s.id, supplierId: s.supplier_id, supplierOrderId: s.supplier_order_id, carrier: s.carrier, trackingNo: s.tracking_no, status: s.status };
    const waybill = s.tracking_no ? `${s.carrier} ${s.tracking_no}` : 'no waybill yet';
    push({ at: iso(s.created_at), source: 'shipment', kind: 'shipment.created', lineId, summary: `parcel of ${s.supplier_id} order ${s.supplier_order_id} (${waybill})`, data: parcel });
    if (s.shipped_at) push({ at: iso(s.shipped_at), source: 'shipment', kind: 'shipment.shipped', lineId, summary: `parcel ${waybill} picked up`, data: parcel });
    if (s.delivered_at) push({ at: iso(s.delivered_at), source: 'shipment', kind: 'shipment.delivered', lineId, summary: `parcel ${waybill} delivered`, data: parcel });
  }
  for (const t of tracking) {
    const s = shipmentById.get(t.shipment_id);
    push({
      at: iso(t.at),
      source: 'tracking',
      kind: `tracking.${t.status}`,
      lineId: lineOf(s?.line_id),
      summary: `${s ? `${s.carrier} ${s.tracking_no}: ` : ''}${t.description}${t.location ? ` (${t.location})` : ''}`,
      data: { shipmentId: t.shipment_id, carrier: s?.carrier, trackingNo: s?.tracking_no, status: t.status, location: t.location, description: t.description, recordedAt: iso(t.recorded_at) },
    });
  }

  for (const e of events) {
    const data = e.data as Record<string, unknown>;
    const lineId = typeof data.lineId === 'string' ? data.lineId : undefined;
    push({ at: iso(e.createdAt), source: 'line', kind: e.type, lineId, summary: eventSummary(e.type, e.seq, data), data: { eventId: e.id, seq: e.seq, ...data } });
  }

  const deliveryById = new Map(deliveries.map((d) => [d.id, d]));
  const eventSeq = new Map(events.map((e) => [e.id, e.seq]));
  const lastAttempt = new Map<string, Date>();
  for (const a of deliveryAttempts) {
    const d = deliveryById.get(a.delivery_id);
    if (!d) continue;
    lastAttempt.set(d.id, a.at);
    const answer = a.status_code === null ? (a.error ?? 'no answer') : `HTTP ${a.status_code}`;
    push({
      at: iso(a.at),
      source: 'webhook',
      kind: 'delivery.attempt',
      summary: `${d.type} #${eventSeq.get(d.event_id) ?? '?'} to the mall: ${answer} (${a.latency_ms} ms)`,
      data: { deliveryId: d.id, eventId: d.event_id, type: d.type, statusCode: a.status_code, error: a.error, latencyMs: a.latency_ms },
    });
  }
  for (const d of deliveries) {
    const data = { deliveryId: d.id, eventId: d.event_id, type: d.type, status: d.status, attempts: d.attempts, lastStatus: d.last_status, lastError: d.last_error };
    if (d.delivered_at) push({ at: iso(d.delivered_at), source: 'webhook', kind: 'delivery.delivered', summary: `${d.type} #${eventSeq.get(d.event_id) ?? '?'} delivered after ${d.attempts} attempt(s)`, data });
    const last = lastAttempt.get(d.id);
    if (d.status === 'dead' && last) push({ at: iso(last), source: 'webhook', kind: 'delivery.dead', summary: `${d.type} #${eventSeq.get(d.event_id) ?? '?'}: delivery given up after ${d.attempts} attempt(s)`, data });
  }

  for (const { ticket, history } of histories) {
    for (const h of history) {
      push({
        at: iso(h.at),
        source: 'ticket',
        kind: `ticket.${h.kind}`,
        lineId: ticket.mall_line_id,
        summary: `ticket ${ticket.id} (${ticket.type}): ${h.kind}${h.visible_to_mall ? '' : ' (internal)'} by ${h.actor_type}`,
        data: { ticketId: ticket.id, ticketType: ticket.type, actorType: h.actor_type, actorId: h.actor_id, visibleToMall: h.visible_to_mall, ...h.data },
      });
    }
  }

  for (const a of staff) {
    const lineId = lineOf(a.resourceId) ?? ticketLine.get(a.resourceId) ?? lineOf(runs.find((r) => r.id === a.resourceId)?.subject_id) ?? lineFromAfter(a.after);
    push({
      at: iso(a.at),
      source: 'staff',
      kind: 'staff.action',
      lineId,
      summary: `${a.actorType} ${a.actorId}: ${a.action}`,
      data: { auditId: a.id, action: a.action, actorType: a.actorType, actorId: a.actorId, resourceType: a.resourceType, resourceId: a.resourceId, before: a.before ?? null, after: a.after ?? null, requestId: a.requestId ?? null },
    });
  }

  // Stable: entries at the same instant keep the order above.
  const timeline = out.map((e, i) => ({ e, i, t: Date.parse(e.at) })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.e);
  return { timeline, runs };
}

/** The mall's line id an audited order action names (`after.lineId`), if any. */
function lineFromAfter(after: unknown): string | undefined {
  const v = (after as { lineId?: unknown } | null)?.lineId;
  return typeof v === 'string' ? v : undefined;
}

function eventSummary(type: string, seq: number | null | undefined, d: Record<string, unknown>): string {
  const line = typeof d.lineId === 'string' ? `line ${d.lineId}: ` : '';
  const detail =
    type === 'line.submitted' ? ` at ${String(d.source)}`
    : type === 'line.rerouted' ? ` from ${String(d.from)} to ${String(d.to)}${d.reason ? ` (${String(d.reason)})` : ''}`
    : type === 'refund.required' ? `: ${String(d.points)} points, ${String(d.cashFen)} fen${d.units ? ` for ${String(d.units)} unit(s)` : ''}`
    : type === 'line.failed' || type === 'line.cancelled' ? `: ${String(d.reason)}`
    : '';
  return `${line}${type}${detail} (event #${seq ?? '?'})`;
}
