import { Migration } from '@mikro-orm/migrations';

/** The ordered feed of price, stock and listing changes malls read from (kept 30 days). */
export class Migration20261123_0004_CatalogChanges extends Migration {
  override name = '20261123-0004-catalog-changes';

  override up(): void {
    this.addSql(`
      create table catalog_change (
        id bigint generated always as identity primary key,
        item_id bigint not null references catalog_item (id),
        sku_id text not null,
        change text not null check (change in ('price', 'stock', 'listing')),
        at timestamptz not null default now()
      )`);
    this.addSql('create index catalog_change_at_idx on catalog_change (at)');
  }

  override down(): void {
    this.addSql('drop table catalog_change');
  }
}
