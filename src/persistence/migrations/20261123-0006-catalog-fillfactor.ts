import { Migration } from '@mikro-orm/migrations';

/**
 * Room on each page for updated row versions: every sync rewrites an offer's cost and stock and an
 * item's best cost and stock, none of them indexed, so with free space on the page PostgreSQL
 * makes these heap-only (HOT) updates and skips the item's GIN search index and every btree.
 */
export class Migration20261123_0006_CatalogFillfactor extends Migration {
  override name = '20261123-0006-catalog-fillfactor';

  override up(): void {
    this.addSql('alter table catalog_item set (fillfactor = 75)');
    this.addSql('alter table catalog_offer set (fillfactor = 75)');
  }

  override down(): void {
    this.addSql('alter table catalog_item reset (fillfactor)');
    this.addSql('alter table catalog_offer reset (fillfactor)');
  }
}
