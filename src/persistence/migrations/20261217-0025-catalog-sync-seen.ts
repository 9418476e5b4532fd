import { Migration } from '@mikro-orm/migrations';

/**
 * A re-sync that writes only what changed (issue 21):
 * - catalog_sync_seen: the supplier SKU ids each page of a full run saw (one row per page, written
 *   with the page's checkpoint; incremental pages during a full run add theirs to it). The run's
 *   end removes the supplier's offers none of its rows hold, then drops its rows. An unchanged
 *   offer is thus marked seen without a new row version of catalog_offer (last_sync_run_id, which
 *   did that before, is still written with every offer written, and no longer read).
 * - catalog_sync_run.written: offers a run wrote (new or changed), beside the listings it saw.
 */
export class Migration20261217_0025_CatalogSyncSeen extends Migration {
  override name = '20261217-0025-catalog-sync-seen';

  // "if not exists": development databases may hold an earlier draft of this migration under another name.
  override up(): void {
    this.addSql('alter table catalog_sync_run add column if not exists written integer not null default 0');
    this.addSql(`
      create table if not exists catalog_sync_seen (
        run_id bigint not null references catalog_sync_run (id) on delete cascade,
        supplier_sku_ids text[] not null
      )`);
    this.addSql('create index if not exists catalog_sync_seen_run_idx on catalog_sync_seen (run_id)');
  }

  override down(): void {
    this.addSql('drop table catalog_sync_seen');
    this.addSql('alter table catalog_sync_run drop column written');
  }
}
