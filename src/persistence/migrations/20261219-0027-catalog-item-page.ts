import { Migration } from '@mikro-orm/migrations';

/**
 * A catalog page's item written once, not per page (issue 21): catalog_item_page holds each item's
 * own part of a page as JSON members (`"skuId":…,"title":…,…,"attributes":…`, no braces). A page
 * then only adds the mall's points, cash and stock (src/catalog/catalog-query.ts). Building that
 * JSON per row per page was half of PostgreSQL's time for a page: 0.37 ms against 0.18 ms a
 * 50-item page, measured with pgbench at 1 000 000 SKUs.
 *
 * A table of its own, not a column of catalog_item: the sync updates items' stock and best cost
 * all the time, and 550 more bytes per item row left those updates less room on their page (fewer
 * heap-only updates, each other one inserting the item into its search indexes again): the first
 * sync took 10 % longer with a column, generated or plain. The sync writes a row with each item it
 * creates (src/domain/page-json.ts) and again when a later source fills in the item's category,
 * the one later write of these fields; catalog_item_page_json below writes the same members in SQL.
 */
export class Migration20261219_0027_CatalogItemPage extends Migration {
  override name = '20261219-0027-catalog-item-page';

  override up(): void {
    const J = (v: string) => `coalesce(to_json(${v})::text, 'null')`;
    this.addSql(`create function catalog_item_page_json(sku_id text, title text, brand text, kind text, category_path text[], images text[],
                                                         market_price_fen integer, attributes jsonb)
                 returns text language sql immutable parallel safe
                 as $$ select concat('"skuId":', ${J('sku_id')}, ',"title":', ${J('title')}, ',"brand":', ${J('brand')}, ',"kind":', ${J('kind')},
                                     ',"categoryPath":', ${J('category_path')}, ',"images":', ${J('images')},
                                     ',"marketPriceFen":', ${J('market_price_fen')}, ',"attributes":', ${J('attributes')}) $$`);
    this.addSql('create table catalog_item_page (item_id bigint primary key references catalog_item (id), json text not null)');
    this.addSql(`insert into catalog_item_page (item_id, json)
                 select id, catalog_item_page_json(sku_id, title, brand, kind, category_path, images, market_price_fen, attributes) from catalog_item`);
  }

  override down(): void {
    this.addSql('drop table catalog_item_page');
    this.addSql('drop function catalog_item_page_json');
  }
}
