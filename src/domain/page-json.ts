/** What an item shows of itself in a catalog page, whichever mall asks. */
export interface PageFields {
  title: string;
  brand: string | null;
  kind: string;
  categoryPath: readonly string[];
  images: readonly string[];
  marketPriceFen: number | null;
  attributes: Readonly<Record<string, string>>;
}

/**
 * An item's own part of a catalog page as JSON members, without braces (`"title":…,…,"attributes":…`):
 * written once with the item (catalog_item_page, after the `"skuId":…` PostgreSQL gives it), so a
 * page only adds the mall's points, cash and stock (src/catalog/catalog-query.ts). The same
 * members, in the same order, as the SQL function catalog_item_page_json (migration 0027) writes
 * for an item whose category is filled in later.
 */
export function pageJson(f: PageFields): string {
  return `"title":${JSON.stringify(f.title)},"brand":${JSON.stringify(f.brand)},"kind":${JSON.stringify(f.kind)},` +
    `"categoryPath":${JSON.stringify(f.categoryPath)},"images":${JSON.stringify(f.images)},` +
    `"marketPriceFen":${JSON.stringify(f.marketPriceFen)},"attributes":${JSON.stringify(f.attributes)}`;
}
