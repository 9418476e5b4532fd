import type { EntityManager } from '@mikro-orm/postgresql';
import type { Carrier, TrackingEvent, TrackingStatus } from '../../connectors/connector.ts';
import type { Clock } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';

/** A line a supplier order belongs to, and the attempt that placed it. */
export interface LineRef {
  lineId: string;
  attemptId: string;
  supplierId: string;
}

type Row = Record<string, any>;
const run = (tx: EntityManager, sql: string, params: unknown[]) => tx.getConnection().execute(sql, params, 'run', tx.getTransactionContext());
const all = <T extends object>(tx: EntityManager, sql: string, params: unknown[]) => tx.getConnection().execute<T[]>(sql, params, 'all', tx.getTransactionContext());

/**
 * The line a supplier order (or a JD child order, or the hub's own reference) belongs to: the
 * latest attempt that placed it. Null when the hub never placed it (or has not recorded it yet).
 */
export async function findLineOf(tx: EntityManager, supplierId: string, by: { supplierOrderId: string; reference?: string }): Promise<LineRef | null> {
  const rows = await all<{ line_id: string; id: string }>(
    tx,
    `select line_id, id from line_attempt where supplier_id = ? and (supplier_order_id = ? or reference = ?)
     union all
     select a.line_id, a.id from shipment s join line_attempt a on a.line_id = s.line_id and a.supplier_id = s.supplier_id
       where s.supplier_id = ? and s.supplier_order_id = ?
     limit 1`,
    [supplierId, by.supplierOrderId, by.reference ?? null, supplierId, by.supplierOrderId],
  );
  const r = rows[0];
  return r ? { lineId: r.line_id, attemptId: r.id, supplierId } : null;
}

/** Locks the line for the rest of the transaction: timeline writes of one line are serialised. */
export async function lockLine(tx: EntityManager, lineId: string): Promise<void> {
  await all(tx, 'select id from order_line where id = ? for update', [lineId]);
}

/** Records that a supplier order was split: one (not yet shipped) shipment per child order. Idempotent. */
export async function recordSplit(tx: EntityManager, clock: Clock, ref: LineRef, parentOrderId: string, childOrderIds: readonly string[]): Promise<void> {
  await run(
    tx,
    'insert into order_split (supplier_id, supplier_order_id, child_order_ids, at) values (?, ?, ?, ?) on conflict (supplier_id, supplier_order_id) do nothing',
    [ref.supplierId, parentOrderId, `{${childOrderIds.join(',')}}`, clock.now()],
  );
  for (const child of childOrderIds) {
    const existing = await all(tx, 'select id from shipment where line_id = ? and supplier_order_id = ?', [ref.lineId, child]);
    if (existing.length) continue;
    await run(
      tx,
      `insert into shipment (id, line_id, supplier_id, supplier_order_id, created_at, updated_at) values (?, ?, ?, ?, ?, ?)
       on conflict (line_id, supplier_order_id, tracking_no) do nothing`,
      [newId('shp'), ref.lineId, ref.supplierId, child, clock.now(), clock.now()],
    );
  }
  // The parent's own row (from a poll before the split was known) says nothing the children don't.
  await run(
    tx,
    `delete from shipment s where s.line_id = ? and s.supplier_id = ? and s.tracking_no = '' and s.supplier_order_id not in (select unnest(?::text[]))
       and not exists (select 1 from tracking_event e where e.shipment_id = s.id)`,
    [ref.lineId, ref.supplierId, `{${childOrderIds.join(',')}}`],
  );
}

/**
 * The shipment of one parcel: found by supplier order and tracking number, else the order's row
 * without a waybill yet (filled in), else created. Returns its id.
 */
export async function upsertShipment(tx: EntityManager, clock: Clock, ref: LineRef, supplierOrderId: string, parcel: { carrier?: Carrier; trackingNo?: string }): Promise<string> {
  const trackingNo = parcel.trackingNo ?? '';
  const rows = await all<{ id: string; tracking_no: string }>(
    tx,
    `select id, tracking_no from shipment where line_id = ? and supplier_order_id = ? and (tracking_no = ? or tracking_no = '' or ? = '')
     order by (tracking_no = ?) desc, created_at limit 1`,
    [ref.lineId, supplierOrderId, trackingNo, trackingNo, trackingNo],
  );
  const found = rows[0];
  if (found) {
    if (found.tracking_no === '' && trackingNo) {
      await run(tx, 'update shipment set tracking_no = ?, carrier = ?, updated_at = ? where id = ?', [trackingNo, parcel.carrier ?? 'OTHER', clock.now(), found.id]);
    } else if (parcel.carrier && parcel.carrier !== 'OTHER') {
      await run(tx, "update shipment set carrier = ? where id = ? and carrier = 'OTHER'", [parcel.carrier, found.id]);
    }
    return found.id;
  }
  const id = newId('shp');
  await run(
    tx,
    'insert into shipment (id, line_id, supplier_id, supplier_order_id, carrier, tracking_no, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?)',
    [id, ref.lineId, ref.supplierId, supplierOrderId, parcel.carrier ?? 'OTHER', trackingNo, clock.now(), clock.now()],
  );
  return id;
}

/** The shipments of a supplier order (all its parcels), for a delivery that names no waybill. */
export async function shipmentsOfOrder(tx: EntityManager, lineId: string, supplierOrderId: string): Promise<string[]> {
  return (await all<{ id: string }>(tx, 'select id from shipment where line_id = ? and supplier_order_id = ?', [lineId, supplierOrderId])).map((r) => r.id);
}

/** What adding events changed on a shipment. */
export interface ShipmentChange {
  shipmentId: string;
  /** New events later than anything the shipment had: its timeline moved on. */
  advanced: TrackingEvent[];
  inserted: number;
}

const RANK: Record<string, number> = { pending: 0, picked_up: 1, in_transit: 2, exception: 2, out_for_delivery: 3, returned_to_sender: 4, delivered: 5 };

/**
 * Adds tracking events to a shipment (duplicates dropped by the scan key: status, time, place and
 * text) and recomputes its
 * status: the latest event by time, except that a delivered shipment stays delivered whatever
 * arrives late.
 */
export async function addTrackingEvents(tx: EntityManager, clock: Clock, shipmentId: string, events: readonly TrackingEvent[]): Promise<ShipmentChange> {
  const [before] = await all<{ last_event_at: Date | null }>(tx, 'select last_event_at from shipment where id = ?', [shipmentId]);
  const lastBefore = before?.last_event_at ? new Date(before.last_event_at).getTime() : -Infinity;
  const advanced: TrackingEvent[] = [];
  let inserted = 0;
  for (const e of events) {
    const at = new Date(e.at);
    if (Number.isNaN(at.getTime())) continue;
    const rows = await all(
      tx,
      `insert into tracking_event (shipment_id, status, at, location, description, recorded_at) values (?, ?, ?, ?, ?, ?)
       on conflict (shipment_id, status, at, md5(coalesce(location, '') || '|' || description)) do nothing returning id`,
      [shipmentId, e.status, at, e.location ?? null, e.description, clock.now()],
    );
    if (!rows.length) continue;
    inserted++;
    if (at.getTime() > lastBefore) advanced.push(e);
  }
  if (inserted) {
    const timeline = await all<{ status: TrackingStatus; at: Date }>(tx, 'select status, at from tracking_event where shipment_id = ? order by at, id', [shipmentId]);
    const delivered = timeline.find((t) => t.status === 'delivered');
    // Same instant: the further step wins (a poll and a callback may stamp two steps alike).
    const latest = timeline.reduce((a, b) => (new Date(b.at).getTime() > new Date(a.at).getTime() || (new Date(b.at).getTime() === new Date(a.at).getTime() && (RANK[b.status] ?? 0) >= (RANK[a.status] ?? 0)) ? b : a));
    await run(
      tx,
      'update shipment set status = ?, shipped_at = ?, delivered_at = ?, last_event_at = ?, updated_at = ? where id = ?',
      [delivered ? 'delivered' : latest.status, timeline[0]?.at ?? null, delivered?.at ?? null, latest.at, clock.now(), shipmentId],
    );
  }
  advanced.sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
  return { shipmentId, advanced, inserted };
}

/** A shipment as the line's timeline holds it. */
export interface ShipmentRow {
  id: string;
  supplierOrderId: string;
  carrier: Carrier;
  trackingNo: string;
  status: string;
  lastEventAt: Date | null;
  /** When the hub last added to it (hub time; event times are the supplier's). */
  updatedAt: Date;
}

/**
 * Whether the line's shipments are all it will have: false while parcels of child orders are known
 * but the split that names every child is not (JD may deliver the split message last).
 */
export async function shipmentsComplete(tx: EntityManager, ref: LineRef): Promise<boolean> {
  const rows = await all<{ unknown_split: boolean }>(
    tx,
    `select exists (
       select 1 from shipment s join line_attempt a on a.id = ?
       where s.line_id = ? and s.supplier_id = a.supplier_id and s.supplier_order_id <> a.supplier_order_id
         and not exists (select 1 from order_split p where p.supplier_id = a.supplier_id and p.supplier_order_id = a.supplier_order_id)
     ) as unknown_split`,
    [ref.attemptId, ref.lineId],
  );
  return !rows[0]?.unknown_split;
}

/** Every shipment of a line. */
export async function lineShipments(tx: EntityManager, lineId: string): Promise<ShipmentRow[]> {
  const rows = await all<Row>(tx, 'select id, supplier_order_id, carrier, tracking_no, status, last_event_at, updated_at from shipment where line_id = ? order by created_at, id', [lineId]);
  return rows.map((r) => ({ id: r.id, supplierOrderId: r.supplier_order_id, carrier: r.carrier, trackingNo: r.tracking_no, status: r.status, lastEventAt: r.last_event_at ? new Date(r.last_event_at) : null, updatedAt: new Date(r.updated_at) }));
}

/**
 * The shipments of the lines of an order (or of several, for a page of orders), by line, with their
 * events in time order, as the mall's order view shows them.
 */
export async function shipmentsView(em: EntityManager, orderIds: string | readonly string[]): Promise<Map<string, { carrier: Carrier; trackingNo: string; status: string; events: { status: string; at: string; location?: string; description: string }[] }[]>> {
  const ships = await all<Row>(
    em,
    `select s.id, s.line_id, s.carrier, s.tracking_no, s.status from shipment s join order_line l on l.id = s.line_id
     where l.order_id in (select jsonb_array_elements_text(?::jsonb)) and s.tracking_no <> '' order by s.created_at, s.id`,
    [JSON.stringify(typeof orderIds === 'string' ? [orderIds] : orderIds)],
  );
  const events = ships.length
    ? await all<Row>(em, 'select shipment_id, status, at, location, description from tracking_event where shipment_id in (select unnest(?::text[])) order by at, id', [`{${ships.map((s) => s.id).join(',')}}`])
    : [];
  const out = new Map<string, { carrier: Carrier; trackingNo: string; status: string; events: { status: string; at: string; location?: string; description: string }[] }[]>();
  for (const s of ships) {
    const list = out.get(s.line_id) ?? [];
    list.push({
      carrier: s.carrier,
      trackingNo: s.tracking_no,
      status: s.status,
      events: events.filter((e) => e.shipment_id === s.id).map((e) => ({ status: e.status, at: new Date(e.at).toISOString(), ...(e.location ? { location: e.location } : {}), description: e.description })),
    });
    out.set(s.line_id, list);
  }
  return out;
}

/**
 * A replacement parcel an after-sales ticket sent (an exchange's, a reship's) joins the line's
 * shipments as picked up, so the mall's order view lists it next to the first. Its later scans are
 * the supplier's: the hub follows the ticket to the parcel's dispatch, not the parcel to the door.
 */
export async function addReplacementParcel(tx: EntityManager, clock: Clock, p: { lineId: string; supplierId: string; supplierOrderId: string; carrier: Carrier; trackingNo: string }): Promise<void> {
  const id = await upsertShipment(tx, clock, { lineId: p.lineId, attemptId: '', supplierId: p.supplierId }, p.supplierOrderId, { carrier: p.carrier, trackingNo: p.trackingNo });
  await run(tx, "update shipment set status = 'picked_up', shipped_at = coalesce(shipped_at, ?), updated_at = ? where id = ? and status = 'pending'", [clock.now(), clock.now(), id]);
}
