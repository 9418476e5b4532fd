import { Migration } from '@mikro-orm/migrations';

/**
 * Drops two indexes of catalog_item that no statement reads since catalog pages and searches are
 * answered from each mall's prices (mall_item, by category leaf) and the search postings: the GIN
 * index of category_ids (0005) and the b-tree of category_id (0002). Every item a sync creates
 * still paid for both: 5 % of inserting 200 000 items page by page, and their disk and WAL. The
 * columns stay: pricing reads category_ids for a mall's selection, and the fill of a missing
 * category reads category_id by the item's key.
 */
export class Migration20261221_0029_CatalogItemUnusedIndexes extends Migration {
  override name = '20261221-0029-catalog-item-unused-indexes';

  override async up(): Promise<void> {
    this.addSql('drop index if exists catalog_item_category_ids_idx');
    this.addSql('drop index if exists catalog_item_category_idx');
  }

  override async down(): Promise<void> {
    this.addSql('create index catalog_item_category_idx on catalog_item (category_id)');
    this.addSql('create index catalog_item_category_ids_idx on catalog_item using gin (category_ids)');
  }
}
