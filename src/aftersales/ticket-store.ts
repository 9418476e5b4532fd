import type { EntityManager } from '@mikro-orm/postgresql';
import type { EligibilityFacts, Resolution, TicketDecision, TicketEventKind, TicketStatus, TicketType, WaitingOn } from '../domain/aftersales.ts';
import { OPEN_TICKET_STATUSES } from '../domain/aftersales.ts';
import type { LineStatus } from '../domain/order-status.ts';
import type { ItemKind } from '../domain/supplier-shapes.ts';

/** The SQL of aftersale_ticket and aftersale_ticket_event (and the reads of a line that eligibility needs). */

const run = <T extends object[]>(em: EntityManager, sql: string, params: unknown[]) => em.getConnection().execute<T>(sql, params, 'all', em.getTransactionContext());
const OPEN = `{${OPEN_TICKET_STATUSES.join(',')}}`;

/** A ticket as stored. */
export interface TicketRow {
  id: string;
  mall_id: string;
  order_id: string;
  line_id: string;
  /** The mall's line id. */
  mall_line_id: string;
  mall_order_id: string;
  type: TicketType;
  status: TicketStatus;
  quantity: number;
  reason: string;
  photos: string[];
  resolution: unknown;
  idempotency_key: string;
  request_hash: string;
  first_response_due_at: Date;
  resolution_due_at: Date;
  created_at: Date;
  updated_at: Date;
  /** Optimistic version: every staff write checks and bumps it. */
  version: number;
  assignee: string | null;
  first_responded_at: Date | null;
  supplier_id: string | null;
  supplier_aftersale_id: string | null;
  waiting_on: WaitingOn | null;
  decision: TicketDecision | null;
  approval: TicketApproval | null;
  resolved_by: string | null;
  resolved_at: Date | null;
}

/** A refund an agent decided above their limit, waiting for an admin. */
export interface TicketApproval {
  decision: TicketDecision;
  refund: { points: number; cashFen: number };
  requestedBy: string;
  requestedAt: string;
}

const TICKET_COLUMNS = `t.id, t.mall_id, t.order_id, t.line_id, l.line_id mall_line_id, o.mall_order_id, t.type, t.status, t.quantity, t.reason, t.photos, t.resolution,
  t.idempotency_key, t.request_hash, t.first_response_due_at, t.resolution_due_at, t.created_at, t.updated_at, t.version, t.assignee, t.first_responded_at,
  t.supplier_id, t.supplier_aftersale_id, t.waiting_on, t.decision, t.approval, t.resolved_by, t.resolved_at`;
const TICKET_FROM = 'aftersale_ticket t join order_line l on l.id = t.line_id join mall_order o on o.id = t.order_id';

/** A line of the mall's order, locked (`for update`) so tickets of one line are opened one at a time; undefined when the mall has no such line. */
export async function lockMallLine(tx: EntityManager, mallId: string, orderId: string, lineId: string): Promise<{ id: string; quantity: number; mallOrderId: string } | undefined> {
  const [row] = await run<{ id: string; quantity: number; mall_order_id: string }[]>(
    tx,
    'select l.id, l.quantity, o.mall_order_id from order_line l join mall_order o on o.id = l.order_id where l.order_id = ? and l.mall_id = ? and l.line_id = ? for update of l',
    [orderId, mallId, lineId],
  );
  return row && { id: row.id, quantity: row.quantity, mallOrderId: row.mall_order_id };
}

/** What eligibility looks at for a line: its status and counts, its parcels' times, its refunds and its other open tickets. */
export async function eligibilityFacts(tx: EntityManager, lineId: string): Promise<EligibilityFacts> {
  const [r] = await run<Record<string, any>[]>(
    tx,
    `select l.status, l.kind, l.qty_fulfilled, l.updated_at,
       (select max(s.delivered_at) from shipment s where s.line_id = l.id) delivered_at,
       (select min(coalesce(s.shipped_at, s.created_at)) from shipment s where s.line_id = l.id and s.status <> 'pending') shipped_at,
       exists (select 1 from shipment s where s.line_id = l.id and s.status in ('exception', 'returned_to_sender')) tracking_trouble,
       (select max(v.created_at) from line_voucher v where v.line_id = l.id) voucher_at,
       (select coalesce(sum(e.units), 0)::int from ledger_entry e where e.line_id = l.id and e.entry = 'refund' and e.ref is not null) units_refunded,
       (select coalesce(sum(t.quantity), 0)::int from aftersale_ticket t where t.line_id = l.id and t.status = any(?::text[])) units_open,
       (select coalesce(jsonb_agg(distinct t.type), '[]') from aftersale_ticket t where t.line_id = l.id and t.status = any(?::text[])) open_types
     from order_line l where l.id = ?`,
    [OPEN, OPEN, lineId],
  );
  if (!r) throw new Error(`order line ${lineId} not found`);
  const status = r.status as LineStatus;
  const date = (v: unknown): Date | null => (v == null ? null : new Date(v as string));
  return {
    lineStatus: status,
    kind: r.kind,
    // A delivered line whose parcels carry no delivery time (a supplier that reports the line only): when it moved.
    deliveredAt: date(r.delivered_at ?? (status === 'delivered' ? r.updated_at : null)),
    shippedAt: date(r.shipped_at ?? (status === 'shipped' ? r.updated_at : null)),
    issuedAt: date(status === 'issued' ? (r.voucher_at ?? r.updated_at) : null),
    trackingTrouble: Boolean(r.tracking_trouble),
    unitsFulfilled: r.qty_fulfilled,
    unitsRefunded: r.units_refunded,
    unitsUnderOpenTickets: r.units_open,
    openTypes: r.open_types,
  };
}

/** A ticket of the mall by its Idempotency-Key. */
export async function ticketByKey(em: EntityManager, mallId: string, key: string): Promise<TicketRow | undefined> {
  const [row] = await run<TicketRow[]>(em, `select ${TICKET_COLUMNS} from ${TICKET_FROM} where t.mall_id = ? and t.idempotency_key = ?`, [mallId, key]);
  return row;
}

/** A ticket of the mall (undefined for another mall's); `lock` takes its row for update. */
export async function findTicket(em: EntityManager, mallId: string, ticketId: string, lock = false): Promise<TicketRow | undefined> {
  const [row] = await run<TicketRow[]>(em, `select ${TICKET_COLUMNS} from ${TICKET_FROM} where t.id = ? and t.mall_id = ?${lock ? ' for update of t' : ''}`, [ticketId, mallId]);
  return row;
}

/** The tickets of one of the mall's orders, oldest first. */
export async function ticketsOfOrder(em: EntityManager, mallId: string, orderId: string): Promise<TicketRow[]> {
  return run<TicketRow[]>(em, `select ${TICKET_COLUMNS} from ${TICKET_FROM} where t.order_id = ? and t.mall_id = ? order by t.created_at, t.id`, [orderId, mallId]);
}

/** Whether the mall has this order. */
export async function mallHasOrder(em: EntityManager, mallId: string, orderId: string): Promise<boolean> {
  const [row] = await run<{ n: number }[]>(em, 'select count(*)::int n from mall_order where id = ? and mall_id = ?', [orderId, mallId]);
  return Boolean(row?.n);
}

/** Inserts a new ticket; false when the mall's key was taken meanwhile (nothing inserted). */
export async function insertTicket(
  tx: EntityManager,
  t: { id: string; mallId: string; orderId: string; lineId: string; type: TicketType; quantity: number; reason: string; photos: readonly string[]; idempotencyKey: string; requestHash: string; firstResponseDueAt: Date; resolutionDueAt: Date; at: Date },
): Promise<boolean> {
  const rows = await run<{ id: string }[]>(
    tx,
    `insert into aftersale_ticket (id, mall_id, order_id, line_id, type, status, quantity, reason, photos, idempotency_key, request_hash, first_response_due_at, resolution_due_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (mall_id, idempotency_key) do nothing returning id`,
    [t.id, t.mallId, t.orderId, t.lineId, t.type, t.quantity, t.reason, JSON.stringify(t.photos), t.idempotencyKey, t.requestHash, t.firstResponseDueAt, t.resolutionDueAt, t.at, t.at],
  );
  return rows.length > 0;
}

/** Changes a ticket's status and photos. */
export async function updateTicket(tx: EntityManager, ticketId: string, change: { status: TicketStatus; photos: readonly string[]; at: Date }): Promise<void> {
  await run(tx, 'update aftersale_ticket set status = ?, photos = ?, updated_at = ? where id = ?', [change.status, JSON.stringify(change.photos), change.at, ticketId]);
}

/** Appends an entry to a ticket's history. */
export async function addTicketEvent(
  tx: EntityManager,
  e: { ticketId: string; at: Date; actorType: string; actorId: string | null; kind: TicketEventKind; visibleToMall: boolean; data: Record<string, unknown> },
): Promise<void> {
  await run(tx, 'insert into aftersale_ticket_event (ticket_id, at, actor_type, actor_id, kind, visible_to_mall, data) values (?, ?, ?, ?, ?, ?, ?)', [
    e.ticketId, e.at, e.actorType, e.actorId, e.kind, e.visibleToMall, JSON.stringify(e.data),
  ]);
}

/** A ticket's history as the mall sees it (entries visible to it), oldest first. */
export async function mallVisibleHistory(em: EntityManager, ticketId: string): Promise<{ at: Date; actor_type: string; kind: TicketEventKind; data: Record<string, unknown> }[]> {
  return run(em, 'select at, actor_type, kind, data from aftersale_ticket_event where ticket_id = ? and visible_to_mall order by id', [ticketId]);
}

/** Any mall's ticket, for staff (undefined when there is none); `lock` takes its row for update. */
export async function findTicketForStaff(em: EntityManager, ticketId: string, lock = false): Promise<TicketRow | undefined> {
  const [row] = await run<TicketRow[]>(em, `select ${TICKET_COLUMNS} from ${TICKET_FROM} where t.id = ?${lock ? ' for update of t' : ''}`, [ticketId]);
  return row;
}

/** What staff filter the ticket list by; `after` is the last id of the previous page (newest first). */
export interface StaffTicketFilter {
  status?: TicketStatus | undefined;
  type?: TicketType | undefined;
  mallId?: string | undefined;
  assignee?: string | undefined;
  /** Only tickets overdue at `now` (src/domain/aftersales.ts, ticketOverdue). */
  overdue?: boolean | undefined;
  now: Date;
  after?: string | undefined;
  limit: number;
}

/** Tickets of every mall, newest first, `limit + 1` of them (the extra one tells a next page). */
export async function listTicketsForStaff(em: EntityManager, f: StaffTicketFilter): Promise<TicketRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...p: unknown[]) => {
    where.push(sql);
    params.push(...p);
  };
  if (f.status) add('t.status = ?', f.status);
  if (f.type) add('t.type = ?', f.type);
  if (f.mallId) add('t.mall_id = ?', f.mallId);
  if (f.assignee) add('t.assignee = ?', f.assignee);
  if (f.overdue) add('t.status = any(?::text[]) and (t.resolution_due_at < ? or (t.first_responded_at is null and t.first_response_due_at < ?))', OPEN, f.now, f.now);
  if (f.after) add('t.id < ?', f.after);
  params.push(f.limit + 1);
  return run<TicketRow[]>(em, `select ${TICKET_COLUMNS} from ${TICKET_FROM}${where.length ? ` where ${where.join(' and ')}` : ''} order by t.id desc limit ?`, params);
}

/**
 * A staff change to a ticket, applied only if the ticket is still at `version` (the conditional
 * update of optimistic concurrency): the new version, or undefined when another write came first.
 */
export async function applyStaffChange(
  tx: EntityManager,
  ticketId: string,
  version: number,
  change: { status: TicketStatus; assignee: string | null; firstRespondedAt: Date | null; at: Date },
): Promise<number | undefined> {
  const [row] = await run<{ version: number }[]>(
    tx,
    'update aftersale_ticket set status = ?, assignee = ?, first_responded_at = coalesce(first_responded_at, ?), updated_at = ?, version = version + 1 where id = ? and version = ? returning version',
    [change.status, change.assignee, change.firstRespondedAt, change.at, ticketId, version],
  );
  return row?.version;
}

/** A ticket's whole history, internal notes included, oldest first. */
export async function fullHistory(em: EntityManager, ticketId: string): Promise<{ at: Date; actor_type: string; actor_id: string | null; kind: TicketEventKind; visible_to_mall: boolean; data: Record<string, unknown> }[]> {
  return run(em, 'select at, actor_type, actor_id, kind, visible_to_mall, data from aftersale_ticket_event where ticket_id = ? order by id', [ticketId]);
}

/** An order's sealed recipient and its lines, for the staff view of a ticket. */
export async function orderForStaff(
  em: EntityManager,
  orderId: string,
): Promise<{ recipient: { keyId: string; data: string } | null; lines: { line_id: string; sku_id: string; kind: ItemKind; quantity: number; status: LineStatus; qty_fulfilled: number }[] }> {
  const [order] = await run<{ recipient: { keyId: string; data: string } | null }[]>(em, 'select recipient from mall_order where id = ?', [orderId]);
  const lines = await run<{ line_id: string; sku_id: string; kind: ItemKind; quantity: number; status: LineStatus; qty_fulfilled: number }[]>(
    em,
    'select line_id, sku_id, kind, quantity, status, qty_fulfilled from order_line where order_id = ? order by created_at, id',
    [orderId],
  );
  return { recipient: order?.recipient ?? null, lines };
}

/**
 * The hub moves a ticket on (its run): status, what it waits on, the supplier's after-sale it
 * opened. Bumps the version, so a staff write prepared on the ticket as it was is refused (409).
 */
export async function setTicketProgress(
  tx: EntityManager,
  ticketId: string,
  p: { status: TicketStatus; waitingOn: WaitingOn | null; at: Date; supplier?: { supplierId: string; afterSaleId: string } },
): Promise<void> {
  await run(
    tx,
    `update aftersale_ticket set status = ?, waiting_on = ?, supplier_id = coalesce(?, supplier_id), supplier_aftersale_id = coalesce(?, supplier_aftersale_id),
       first_responded_at = coalesce(first_responded_at, ?), updated_at = ?, version = version + 1 where id = ?`,
    [p.status, p.waitingOn, p.supplier?.supplierId ?? null, p.supplier?.afterSaleId ?? null, p.at, p.at, ticketId],
  );
}

/**
 * Records a decision for the ticket's run to carry out (or a refund waiting for approval),
 * conditional on `version` when given: the new version, or undefined when another write came first.
 */
export async function setTicketDecision(
  tx: EntityManager,
  ticketId: string,
  d: { decision: TicketDecision | null; approval: TicketApproval | null; waitingOn: WaitingOn | null; assignee?: string | null; at: Date; version?: number },
): Promise<number | undefined> {
  const [row] = await run<{ version: number }[]>(
    tx,
    `update aftersale_ticket set decision = ?, approval = ?, waiting_on = ?, status = case when status = 'open' then 'in_progress' else status end,
       first_responded_at = coalesce(first_responded_at, ?), updated_at = ?, version = version + 1 where id = ?${d.version === undefined ? '' : ' and version = ?'} returning version`,
    [d.decision && JSON.stringify(d.decision), d.approval && JSON.stringify(d.approval), d.waitingOn, d.at, d.at, ticketId, ...(d.version === undefined ? [] : [d.version])],
  );
  return row?.version;
}

/** Settles a ticket: its final status and resolution, who settled it and when. */
export async function settleTicketRow(tx: EntityManager, ticketId: string, s: { status: 'resolved' | 'rejected'; resolution: Resolution; resolvedBy: string; at: Date }): Promise<void> {
  await run(
    tx,
    `update aftersale_ticket set status = ?, resolution = ?, resolved_by = ?, resolved_at = ?, waiting_on = null, decision = null, approval = null,
       first_responded_at = coalesce(first_responded_at, ?), updated_at = ?, version = version + 1 where id = ?`,
    [s.status, JSON.stringify(s.resolution), s.resolvedBy, s.at, s.at, s.at, ticketId],
  );
}

/** The tickets following a supplier's after-sale (a callback about it wakes their runs). */
export async function ticketsOfSupplierAfterSale(em: EntityManager, supplierId: string, afterSaleId: string): Promise<string[]> {
  const rows = await run<{ id: string }[]>(em, 'select id from aftersale_ticket where supplier_id = ? and supplier_aftersale_id = ?', [supplierId, afterSaleId]);
  return rows.map((r) => r.id);
}

/** The attempt that fulfilled a line (the last one sent to a supplier), with what after-sales ask its supplier about. */
export interface LineSource {
  attemptId: string;
  supplierId: string;
  supplierSkuId: string;
  supplierOrderId: string | null;
  reference: string;
  status: string;
}

export async function lineSource(em: EntityManager, lineId: string): Promise<LineSource | undefined> {
  const [row] = await run<{ id: string; supplier_id: string; supplier_sku_id: string; supplier_order_id: string | null; reference: string; status: string }[]>(
    em,
    `select id, supplier_id, supplier_sku_id, supplier_order_id, reference, status from line_attempt
     where line_id = ? and status not in ('pending', 'failed', 'cancelled') order by seq desc limit 1`,
    [lineId],
  );
  return row && { attemptId: row.id, supplierId: row.supplier_id, supplierSkuId: row.supplier_sku_id, supplierOrderId: row.supplier_order_id, reference: row.reference, status: row.status };
}

/** A line's parcels as the carrier last reported them. */
export async function lineParcels(em: EntityManager, lineId: string): Promise<{ status: string; carrier: string; tracking_no: string; last_event_at: Date | null; shipped_at: Date | null; created_at: Date }[]> {
  return run(em, 'select status, carrier, tracking_no, last_event_at, shipped_at, created_at from shipment where line_id = ? order by created_at', [lineId]);
}

/** A line's voucher codes as the mall sees them (masked), and when they were issued. */
export async function lineVouchersMasked(em: EntityManager, lineId: string): Promise<{ masked: string; created_at: Date }[]> {
  return run(em, 'select masked, created_at from line_voucher where line_id = ? order by created_at, id', [lineId]);
}

/**
 * Any mall's ticket locked for settling, its line locked first: the lock order of every line move
 * (the line, then its order), so a settlement and a move of the same line take turns.
 */
export async function lockTicketAndLine(tx: EntityManager, ticketId: string): Promise<TicketRow | undefined> {
  const [t] = await run<{ line_id: string }[]>(tx, 'select line_id from aftersale_ticket where id = ?', [ticketId]);
  if (!t) return undefined;
  await run(tx, 'select id from order_line where id = ? for update', [t.line_id]);
  return findTicketForStaff(tx, ticketId, true);
}

/** Records the replacement a ticket sent (its supplier's callbacks then find the ticket). */
export async function setTicketReplacement(tx: EntityManager, ticketId: string, supplierId: string, supplierOrderId: string): Promise<void> {
  await run(tx, 'update aftersale_ticket set replacement_supplier_id = ?, replacement_order_id = ? where id = ?', [supplierId, supplierOrderId, ticketId]);
}

/** The tickets whose replacement is this supplier order. */
export async function ticketsOfReplacement(em: EntityManager, supplierId: string, supplierOrderId: string): Promise<string[]> {
  const rows = await run<{ id: string }[]>(em, 'select id from aftersale_ticket where replacement_supplier_id = ? and replacement_order_id = ?', [supplierId, supplierOrderId]);
  return rows.map((r) => r.id);
}
