import type { EntityManager } from '@mikro-orm/postgresql';
import { bigrams, normalizeText, type StockStatus, stockStatus } from '../domain/catalog-keys.ts';
import { categoriesNamed, leavesUnder } from '../domain/taxonomy.ts';

/** Filters of GET /v1/catalog/items. */
export interface CatalogFilter {
  kind?: 'physical' | 'virtual' | 'service' | undefined;
  category?: string | undefined;
  pointsMin?: number | undefined;
  pointsMax?: number | undefined;
  q?: string | undefined;
  inStock?: boolean | undefined;
  limit: number;
  /** Last (points, item id) of the previous page. */
  after?: { points: number; itemId: string } | undefined;
}

/** One item as a mall sees it. */
export interface MallCatalogItem {
  skuId: string;
  title: string;
  brand: string | null;
  kind: string;
  categoryPath: string[];
  images: string[];
  points: number;
  cashFen: number;
  marketPriceFen: number | null;
  stock: StockStatus;
  attributes: Record<string, string>;
}

interface Row {
  item_id: string; sku_id: string; title: string; brand: string | null; kind: string; category_path: string[]; images: string[];
  attributes: Record<string, string>; market_price_fen: number | null; points: number; cash_fen: number; stock_units: number | null;
}

const view = (r: Row): MallCatalogItem => ({
  skuId: r.sku_id, title: r.title, brand: r.brand, kind: r.kind, categoryPath: r.category_path, images: r.images, points: r.points,
  cashFen: r.cash_fen, marketPriceFen: r.market_price_fen, stock: stockStatus(r.stock_units), attributes: r.attributes,
});

const COLUMNS = 'mi.item_id, ci.sku_id, ci.title, ci.brand, ci.kind, ci.category_path, ci.images, ci.attributes, ci.market_price_fen, mi.points, mi.cash_fen, mi.stock_units';

/** The SQL of one catalog page and its parameters (exported so the benchmark's bare handler runs exactly this). */
export function catalogPageSql(mallId: string, f: CatalogFilter): { sql: string; params: unknown[] } {
  // Conditions on the mall's prices (mall_item) and on the items themselves (catalog_item).
  const mall: string[] = ['mi.mall_id = ?', 'mi.sellable'];
  const mallParams: unknown[] = [mallId];
  const item: string[] = [];
  const itemParams: unknown[] = [];
  const onMall = (clause: string, ...values: unknown[]) => {
    mall.push(clause);
    mallParams.push(...values);
  };
  const onItem = (clause: string, ...values: unknown[]) => {
    item.push(clause);
    itemParams.push(...values);
  };
  if (f.kind) onMall('mi.kind = ?', f.kind);
  if (f.pointsMin !== undefined) onMall('mi.points >= ?', f.pointsMin);
  if (f.pointsMax !== undefined) onMall('mi.points <= ?', f.pointsMax);
  if (f.inStock) onMall('(mi.stock_units is null or mi.stock_units > 0)');
  if (f.after) onMall('(mi.points, mi.item_id) > (?, ?)', f.after.points, f.after.itemId);
  const limit = Math.trunc(f.limit) + 1;
  // A category is the set of its leaves, each a range of the mall's (category, points) index.
  const leaves = f.category ? [...new Set(categoriesNamed(f.category).flatMap((n) => leavesUnder(n.id)))] : [];
  if (f.category && !f.q) {
    // One ordered, limited index range per leaf, merged: a page costs (leaves × page size) rows
    // whatever the category's size or where its prices sit in the points order.
    const branches = leaves.map(
      () => `(select mi.* from mall_item mi where ${mall.join(' and ')} and mi.category_id = ? order by mi.points, mi.item_id limit ${limit})`,
    );
    return {
      sql: `select ${COLUMNS} from (${branches.join(' union all ')}) mi join catalog_item ci on ci.id = mi.item_id order by mi.points, mi.item_id limit ${limit}`,
      params: leaves.flatMap((leaf) => [...mallParams, leaf]),
    };
  }
  if (f.category) onMall(`mi.category_id in (${leaves.map(() => '?').join(', ')})`, ...leaves);
  if (!f.q) {
    return {
      sql: `select ${COLUMNS} from mall_item mi join catalog_item ci on ci.id = mi.item_id where ${mall.join(' and ')} order by mi.points, mi.item_id limit ${limit}`,
      params: mallParams,
    };
  }
  // Search first, as its own materialised step: every character pair of the
  // query must be in the title's bigram index (GIN), then the normalised text must hold the query
  // as one substring (冰箱 finds 海尔冰箱; 冰箱门 does not match 门冰箱). Left to itself the planner
  // walks the points index instead and, titles and prices being correlated, reads most of it
  // (2.3 s at 1M for q=冰箱).
  const needle = normalizeText(f.q);
  onItem('search_grams @> (select array(select jsonb_array_elements_text(?::jsonb))) and strpos(search_text, ?) > 0', JSON.stringify(bigrams(needle)), needle);
  return {
    // Then the mall's price of each hit by key (offset 0 keeps the planner from turning these
    // lookups into hash joins over whole tables when it misjudges the hit count), the page's top
    // rows by points, and only for those the item's full row.
    sql: `with hits as materialized (select id from catalog_item where ${item.join(' and ')}),
          top as (
            select mi.* from hits
            cross join lateral (select item_id, mall_id, points, cash_fen, stock_units, kind, category_id, sellable from mall_item m where m.mall_id = ? and m.item_id = hits.id offset 0) mi
            where ${mall.join(' and ')} order by mi.points, mi.item_id limit ${limit}
          )
          select ${COLUMNS} from top mi join catalog_item ci on ci.id = mi.item_id order by mi.points, mi.item_id`,
    params: [...itemParams, mallId, ...mallParams],
  };
}

/** A page of a mall's sellable catalog ordered by points, with the key of its last row. */
export async function queryMallCatalog(em: EntityManager, mallId: string, f: CatalogFilter): Promise<{ items: MallCatalogItem[]; last: { points: number; itemId: string } | null }> {
  const { sql, params } = catalogPageSql(mallId, f);
  const rows = await em.getConnection().execute<Row[]>(sql, params);
  const page = rows.slice(0, f.limit);
  const lastRow = rows.length > f.limit ? page.at(-1) : undefined;
  return { items: page.map(view), last: lastRow ? { points: lastRow.points, itemId: String(lastRow.item_id) } : null };
}

/** One item for a mall with the names of the suppliers that currently offer it; null when unknown or not priced for the mall. */
export async function getMallCatalogItem(em: EntityManager, mallId: string, skuId: string): Promise<(MallCatalogItem & { sellable: boolean; sources: string[] }) | null> {
  const rows = await em.getConnection().execute<(Row & { sellable: boolean; sources: string[] })[]>(
    `select ${COLUMNS}, mi.sellable,
            array(select o.supplier_id from catalog_offer o where o.item_id = ci.id and o.removed_at is null and o.on_shelf order by o.cost_fen) as sources
     from catalog_item ci join mall_item mi on mi.item_id = ci.id and mi.mall_id = ? where ci.sku_id = ?`,
    [mallId, skuId],
  );
  const r = rows[0];
  return r ? { ...view(r), sellable: r.sellable, sources: r.sources } : null;
}

/** A source of an item for a mall's live availability check, with the mall's stored price (null when it does not price the item). */
export interface MallSourceRow {
  sku_id: string;
  supplier_id: string;
  supplier_sku_id: string;
  points: number | null;
  cash_fen: number | null;
}

/**
 * The live offers (listed, on shelf) of each of these SKUs, cheapest synced cost first, with the
 * mall's price: one row per offer, and one with null offer columns for an item without any (no
 * row at all for an unknown SKU).
 */
export async function sourcesForMall(em: EntityManager, mallId: string, skuIds: readonly string[]): Promise<MallSourceRow[]> {
  return em.getConnection().execute<MallSourceRow[]>(
    `select ci.sku_id, o.supplier_id, o.supplier_sku_id, mi.points, mi.cash_fen
     from catalog_item ci
     left join catalog_offer o on o.item_id = ci.id and o.removed_at is null and o.on_shelf
     left join mall_item mi on mi.item_id = ci.id and mi.mall_id = ?
     where ci.sku_id in (select jsonb_array_elements_text(?::jsonb))
     order by ci.sku_id, o.cost_fen`,
    [mallId, JSON.stringify(skuIds)],
  );
}
