import { Migration } from '@mikro-orm/migrations';

/**
 * The logistics timeline: a line's shipments (a JD split gives one per child order; a supplier
 * order known before its waybill has a row with an empty tracking number) and their tracking
 * events. Events are unique per (shipment, status, time), so a callback delivered twice, or the
 * same step seen by a callback and a poll, is stored once.
 */
export class Migration20261123_0010_Tracking extends Migration {
  override name = '20261123-0010-tracking';

  override up(): void {
    this.addSql(`
      create table shipment (
        id text primary key,
        line_id text not null references order_line (id),
        supplier_id text not null,
        supplier_order_id text not null,
        carrier text not null default 'OTHER' check (carrier in ('SF', 'JD', 'ZTO', 'YTO', 'STO', 'YUNDA', 'EMS', 'OTHER')),
        tracking_no text not null default '',
        status text not null default 'pending'
          check (status in ('pending', 'picked_up', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned_to_sender')),
        shipped_at timestamptz,
        delivered_at timestamptz,
        last_event_at timestamptz,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (line_id, supplier_order_id, tracking_no)
      )`);
    this.addSql('create index shipment_supplier_order_idx on shipment (supplier_id, supplier_order_id)');
    this.addSql("create index shipment_tracking_no_idx on shipment (tracking_no) where tracking_no <> ''");
    // A supplier order split into children (JD): until the split itself is known, a child's parcel
    // cannot say the line is complete (the split message may arrive after the child's delivery).
    this.addSql(`
      create table order_split (
        supplier_id text not null,
        supplier_order_id text not null,
        child_order_ids text[] not null,
        at timestamptz not null,
        primary key (supplier_id, supplier_order_id)
      )`);
    this.addSql(`
      create table tracking_event (
        id bigint generated always as identity primary key,
        shipment_id text not null references shipment (id),
        status text not null,
        at timestamptz not null,
        location text,
        description text not null,
        recorded_at timestamptz not null,
        unique (shipment_id, status, at)
      )`);
  }

  override down(): void {
    this.addSql('drop table tracking_event, order_split, shipment');
  }
}
