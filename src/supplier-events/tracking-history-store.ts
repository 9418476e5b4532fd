import type { EntityManager } from '@mikro-orm/postgresql';
import type { Carrier } from '../domain/supplier-shapes.ts';

/**
 * The logistics timeline of some lines as staff read it (the admin order view, issue 19): every
 * shipment, with or without a waybill yet, and every tracking event with when the hub recorded it.
 * Reads only; the timeline's writes are in timeline-store.ts.
 */

const all = <T extends object>(em: EntityManager, sql: string, params: unknown[]) => em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

export interface ShipmentHistoryRow {
  id: string;
  line_id: string;
  supplier_id: string;
  supplier_order_id: string;
  carrier: Carrier;
  tracking_no: string;
  status: string;
  shipped_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

export interface TrackingHistoryRow {
  shipment_id: string;
  status: string;
  at: Date;
  location: string | null;
  description: string;
  recorded_at: Date;
}

/** The shipments of some lines, oldest first. */
export async function shipmentsOfLines(em: EntityManager, lineIds: readonly string[]): Promise<ShipmentHistoryRow[]> {
  if (!lineIds.length) return [];
  return all<ShipmentHistoryRow>(
    em,
    `select id, line_id, supplier_id, supplier_order_id, carrier, tracking_no, status, shipped_at, delivered_at, created_at
     from shipment where line_id in (select jsonb_array_elements_text(?::jsonb)) order by created_at, id`,
    [JSON.stringify(lineIds)],
  );
}

/** The tracking events of some shipments, in the carrier's time order. */
export async function trackingEventsOf(em: EntityManager, shipmentIds: readonly string[]): Promise<TrackingHistoryRow[]> {
  if (!shipmentIds.length) return [];
  return all<TrackingHistoryRow>(
    em,
    `select shipment_id, status, at, location, description, recorded_at from tracking_event
     where shipment_id in (select jsonb_array_elements_text(?::jsonb)) order by at, id`,
    [JSON.stringify(shipmentIds)],
  );
}
