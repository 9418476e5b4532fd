import type { EntityManager } from '@mikro-orm/postgresql';
import type { Shipment, SupplierEvent, SupplierOrder, TrackingEvent, TrackingStatus } from '../../connectors/connector.ts';
import type { Clock } from '../domain/clock.ts';
import { lineEvent, loadLine, setLineStatus } from '../orders/line-store.ts';
import {
  addTrackingEvents, type LineRef, lineShipments, lockLine, recordSplit, type ShipmentChange, shipmentsComplete, shipmentsOfOrder, upsertShipment,
} from './timeline-store.ts';

/** Line statuses the timeline never moves a line out of (the line is over, or handled elsewhere). */
const SETTLED = new Set(['delivered', 'cancelled', 'failed', 'returned', 'refunded', 'issued', 'issuing']);

/** A parcel's events, with a first step for a shipment that came without any. */
function eventsOf(shipment: Shipment, at: string): TrackingEvent[] {
  return shipment.events.length ? shipment.events : [{ status: 'picked_up', at, description: 'shipped' }];
}

/** Records one parcel of a supplier order on the line's timeline. */
export async function recordParcel(tx: EntityManager, clock: Clock, ref: LineRef, supplierOrderId: string, shipment: Shipment, at: string): Promise<ShipmentChange> {
  const id = await upsertShipment(tx, clock, ref, supplierOrderId, { carrier: shipment.carrier, trackingNo: shipment.trackingNo || undefined });
  return addTrackingEvents(tx, clock, id, eventsOf(shipment, at));
}

/** Records a delivery (of one waybill, or of every parcel of the order when none is named). */
export async function recordDelivery(tx: EntityManager, clock: Clock, ref: LineRef, supplierOrderId: string, trackingNo: string | undefined, at: string): Promise<ShipmentChange[]> {
  const ids = trackingNo ? [await upsertShipment(tx, clock, ref, supplierOrderId, { trackingNo })] : await shipmentsOfOrder(tx, ref.lineId, supplierOrderId);
  if (!ids.length) ids.push(await upsertShipment(tx, clock, ref, supplierOrderId, {}));
  const out: ShipmentChange[] = [];
  for (const id of ids) out.push(await addTrackingEvents(tx, clock, id, [{ status: 'delivered', at, description: 'delivered' }]));
  return out;
}

/**
 * Moves the line along its timeline and tells the mall, in the caller's transaction: `line.shipped`
 * once the first parcel moves, `line.delivered` once every parcel is delivered, and
 * `line.tracking_updated` when a parcel's timeline moved on otherwise. Replays change nothing, so
 * they say nothing.
 */
export async function settleLine(tx: EntityManager, clock: Clock, ref: LineRef, changes: readonly ShipmentChange[]): Promise<void> {
  const line = await loadLine(tx, ref.lineId);
  const shipments = await lineShipments(tx, ref.lineId);
  const moving = shipments.filter((s) => s.status !== 'pending');
  // A parcel that moved has the status of its latest event (never `pending`, the status of none).
  const view = (s: (typeof shipments)[number]) => ({ carrier: s.carrier, trackingNo: s.trackingNo, status: s.status as TrackingStatus });
  if (SETTLED.has(line.status) && line.status !== 'delivered') return;
  let told = false;
  if (moving.length && line.status !== 'shipped' && line.status !== 'delivered') {
    await setLineStatus(tx, clock, line, { status: 'shipped', source: ref.supplierId }, [
      { type: 'line.shipped', data: { source: ref.supplierId, shipments: moving.filter((s) => s.trackingNo).map(view) } },
    ]);
    told = true;
  }
  if (shipments.length && shipments.every((s) => s.status === 'delivered') && line.status !== 'delivered' && (await shipmentsComplete(tx, ref))) {
    // Reported with the move, so an order this completes has its final event after it. Parcels
    // with a waybill only, as line.shipped and the order view list them.
    await setLineStatus(tx, clock, line, { status: 'delivered', qtyFulfilled: line.quantity - line.qtyCancelled - line.qtyFailed }, [
      { type: 'line.delivered', data: { source: ref.supplierId, shipments: shipments.filter((s) => s.trackingNo).map(view) } },
    ]);
    return;
  }
  if (told || line.status === 'delivered') return;
  for (const change of changes) {
    if (!change.advanced.length) continue;
    const s = shipments.find((x) => x.id === change.shipmentId);
    if (!s?.trackingNo) continue;
    // Times as the hub writes every time (RFC 3339, UTC), whatever form the supplier gave.
    const events = change.advanced.map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
    await lineEvent(tx, clock, line, 'line.tracking_updated', { ...view(s), events });
  }
}

/** What applying a supplier event asks of the caller once the transaction commits. */
export interface Applied {
  /** The line's workflow run should look at the supplier again now (cancellation, issuance outcome). */
  wake: boolean;
  /** No line of the hub's matches the event. */
  unmatched: boolean;
}

/** Applies one order event to its line's timeline, in the caller's transaction. */
export async function applyOrderEvent(tx: EntityManager, clock: Clock, supplierId: string, event: SupplierEvent, ref: LineRef): Promise<Pick<Applied, 'wake'>> {
  await lockLine(tx, ref.lineId);
  switch (event.type) {
    case 'order.split':
      await recordSplit(tx, clock, ref, event.supplierOrderId, event.childOrderIds);
      await settleLine(tx, clock, ref, []);
      // The children may all be delivered already: the line may be complete only now.
      return { wake: false };
    case 'order.shipped': {
      const change = await recordParcel(tx, clock, ref, event.childOrderId ?? event.supplierOrderId, event.shipment, event.at);
      await settleLine(tx, clock, ref, [change]);
      return { wake: false };
    }
    case 'order.delivered': {
      const changes = await recordDelivery(tx, clock, ref, event.childOrderId ?? event.supplierOrderId, event.trackingNo, event.at);
      await settleLine(tx, clock, ref, changes);
      return { wake: false };
    }
    // The workflow asks the supplier and acts as its polling would (reroute, record the issuance):
    // one path, so a callback and a poll can never both act.
    case 'order.cancelled':
    case 'order.issued':
    case 'order.failed':
    case 'order.updated':
      return { wake: true };
    default:
      return { wake: false };
  }
}

/** Feeds a polled supplier order (parent and children) into the line's timeline, in the caller's transaction. */
export async function applyPolledOrder(tx: EntityManager, clock: Clock, ref: LineRef, order: SupplierOrder): Promise<void> {
  await lockLine(tx, ref.lineId);
  const changes: ShipmentChange[] = [];
  const now = clock.now().toISOString();
  if (order.children.length) await recordSplit(tx, clock, ref, order.supplierOrderId, order.children.map((c) => c.supplierOrderId));
  const parts = order.children.length ? order.children : [order];
  for (const part of parts) {
    for (const s of part.shipments) changes.push(await recordParcel(tx, clock, ref, part.supplierOrderId, s, part.updatedAt ?? now));
    if (part.status === 'delivered') {
      for (const s of part.shipments) {
        if (s.events.some((e) => e.status === 'delivered')) continue;
        const last = s.events.at(-1)?.at ?? part.updatedAt ?? now;
        changes.push(...(await recordDelivery(tx, clock, ref, part.supplierOrderId, s.trackingNo || undefined, last)));
      }
    }
  }
  await settleLine(tx, clock, ref, changes);
}
