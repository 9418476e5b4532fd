import { Migration } from '@mikro-orm/migrations';

/**
 * What incremental sync, the canonical taxonomy and per-mall selection need: a normalised search
 * text (substring recheck after the bigram index), canonical category ids at every level, the
 * watermark an incremental run pulled from, and a pricing version per mall so a changed rule or
 * selection is repriced by a worker even if Redis loses the job.
 */
export class Migration20261123_0005_CatalogFreshness extends Migration {
  override name = '20261123-0005-catalog-freshness';

  override up(): void {
    this.addSql("alter table catalog_item add column search_text text not null default ''");
    this.addSql("alter table catalog_item add column category_ids text[] not null default '{}'");
    this.addSql('create index catalog_item_category_ids_idx on catalog_item using gin (category_ids)');
    this.addSql('alter table catalog_sync_run add column since timestamptz');
    this.addSql('alter table catalog_sync_run add column messages integer not null default 0');
    // A worker holds a running run until this time, renewed with each page; a failed attempt releases it.
    this.addSql('alter table catalog_sync_run add column lease_until timestamptz');
    this.addSql('alter table mall add column pricing_version integer not null default 1');
    this.addSql('alter table mall add column priced_version integer not null default 0');
    // Whether the item falls in the mall's catalog selection; `sellable` already includes it.
    this.addSql('alter table mall_item add column selected boolean not null default true');
  }

  override down(): void {
    this.addSql('alter table mall_item drop column selected');
    this.addSql('alter table mall drop column pricing_version, drop column priced_version');
    this.addSql('alter table catalog_sync_run drop column since, drop column messages, drop column lease_until');
    this.addSql('drop index catalog_item_category_ids_idx');
    this.addSql('alter table catalog_item drop column search_text, drop column category_ids');
  }
}
