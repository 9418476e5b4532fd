import { Migration } from '@mikro-orm/migrations';

/**
 * A claimed webhook attempt is leased in a column of its own (`lease_until`), not by moving
 * `next_attempt_at`: the claim then changes no indexed column and, with room left on the page,
 * PostgreSQL makes it a heap-only (HOT) update that touches none of the delivery's six indexes.
 * The reconciler treats a delivery as due when `next_attempt_at` has passed and no lease is live.
 */
export class Migration20261206_0011_WebhookLease extends Migration {
  override name = '20261206-0011-webhook-lease';

  override up(): void {
    this.addSql('alter table webhook_delivery add column lease_until timestamptz');
    this.addSql('alter table webhook_delivery set (fillfactor = 70)');
  }

  override down(): void {
    this.addSql('alter table webhook_delivery reset (fillfactor)');
    this.addSql('alter table webhook_delivery drop column lease_until');
  }
}
