import type { EntityManager } from '@mikro-orm/postgresql';
import type { EligibilityFacts, TicketEventKind, TicketStatus, TicketType } from '../domain/aftersales.ts';
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
}

const TICKET_COLUMNS = `t.id, t.mall_id, t.order_id, t.line_id, l.line_id mall_line_id, o.mall_order_id, t.type, t.status, t.quantity, t.reason, t.photos, t.resolution,
  t.idempotency_key, t.request_hash, t.first_response_due_at, t.resolution_due_at, t.created_at, t.updated_at, t.version, t.assignee, t.first_responded_at`;
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
       (select coalesce(sum(e.units), 0)::int from ledger_entry e where e.line_id = l.id and e.entry = 'refund') units_refunded,
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
