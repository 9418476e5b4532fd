import { Migration } from '@mikro-orm/migrations';

/**
 * Staff order search (GET /admin/orders, issue 19): by mall order id, phone tail, tracking number
 * or supplier order id, across malls or in one.
 *
 * - Supplier order id: `line_attempt (supplier_id, supplier_order_id)` cannot serve a search that
 *   knows only the supplier's order id (PostgreSQL 15 has no skip scan): an index on the id alone.
 *   Attempts are written by the workers, not by order intake: its one statement is unchanged.
 * - Phone tail: nothing to add. `mall_order.phone_tail_hash` (keyed HMAC of the recipient phone's
 *   last four digits, with its key id in `phone_hash_key_id`), indexed by `(mall_id,
 *   phone_tail_hash)`, has been filled by intake's single insert since 20261123-0007, as the
 *   contract asks ("lookups by phone use a keyed hash of the last four digits"): a plain `phone_tail`
 *   column would put part of a phone number in the clear next to the sealed recipient. Staff search
 *   hashes the four digits with each configured key and probes that index once per mall (a lateral
 *   join over `mall`), so searching across malls needs no second index on the intake path.
 *   Backfill: none is needed (every order with a recipient got its hash at intake; orders without a
 *   recipient have no phone), and none is possible in SQL: the recipient is sealed (AES-256-GCM)
 *   and the HMAC key lives outside the database.
 * - Mall order id: the unique `(mall_id, mall_order_id)` index, probed per mall the same way.
 * - Tracking number: `shipment_tracking_no_idx` (20261123-0010).
 */
export class Migration20261211_0019_StaffOrderSearch extends Migration {
  override name = '20261211-0019-staff-order-search';

  override up(): void {
    this.addSql('create index line_attempt_supplier_order_id_idx on line_attempt (supplier_order_id) where supplier_order_id is not null');
  }

  override down(): void {
    this.addSql('drop index line_attempt_supplier_order_id_idx');
  }
}
