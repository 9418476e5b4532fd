import { Migration } from '@mikro-orm/migrations';

/**
 * A tracking event is the same event when its shipment, status, time, place and text are: two
 * scans with one status at one instant (a parcel scanned at two hubs within the carrier's
 * minute) are two events, a callback delivered twice is still one. Hashed so a long carrier
 * description never exceeds a btree entry.
 */
export class Migration20261206_0012_TrackingScanKey extends Migration {
  override name = '20261206-0012-tracking-scan-key';

  override up(): void {
    this.addSql('alter table tracking_event drop constraint tracking_event_shipment_id_status_at_key');
    this.addSql("create unique index tracking_event_scan_key on tracking_event (shipment_id, status, at, md5(coalesce(location, '') || '|' || description))");
  }

  override down(): void {
    this.addSql('drop index tracking_event_scan_key');
    this.addSql('alter table tracking_event add constraint tracking_event_shipment_id_status_at_key unique (shipment_id, status, at)');
  }
}
