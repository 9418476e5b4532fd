import type { EntityManager } from '@mikro-orm/postgresql';
import { bigrams, normalizeText, type StockStatus, stockStatus } from '../domain/catalog-keys.ts';
import { categoriesNamed } from '../domain/taxonomy.ts';

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
  const where = ['mi.mall_id = ?', 'mi.sellable'];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (f.kind) add('mi.kind = ?', f.kind);
  if (f.pointsMin !== undefined) add('mi.points >= ?', f.pointsMin);
  if (f.pointsMax !== undefined) add('mi.points <= ?', f.pointsMax);
  // A leaf is narrow: found through its index, like a search. A level-1/2 category is broad: the
  // points order meets its items early, so it stays a filter on the points walk.
  const named = f.category ? categoriesNamed(f.category) : [];
  const leaves = named.filter((n) => n.level === 3).map((n) => n.id);
  const broad = named.filter((n) => n.level !== 3).map((n) => n.id);
  if (f.category && named.length === 0) add('false');
  if (broad.length) add('ci.category_ids && (select array(select jsonb_array_elements_text(?::jsonb)))', JSON.stringify(broad));
  if (f.inStock) add('(mi.stock_units is null or mi.stock_units > 0)');
  if (f.after) add('(mi.points, mi.item_id) > (?, ?)', f.after.points, f.after.itemId);
  const order = `order by mi.points, mi.item_id limit ${Math.trunc(f.limit) + 1}`;
  if (!f.q && leaves.length === 0) {
    return { sql: `select ${COLUMNS} from mall_item mi join catalog_item ci on ci.id = mi.item_id where ${where.join(' and ')} ${order}`, params: [mallId, ...params] };
  }
  // Search (and a leaf category) first, as its own materialised step: every character pair of the
  // query must be in the title's bigram index (GIN), then the normalised text must hold the query
  // as one substring (冰箱 finds 海尔冰箱; 冰箱门 does not match 门冰箱). Left to itself the planner
  // walks the points index instead and, titles and prices being correlated, reads most of it
  // (2.3 s at 1M for q=冰箱, 2 s for category=冰箱).
  const hit: string[] = [];
  const hitParams: unknown[] = [];
  if (f.q) {
    const needle = normalizeText(f.q);
    hit.push('search_grams @> (select array(select jsonb_array_elements_text(?::jsonb))) and strpos(search_text, ?) > 0');
    hitParams.push(JSON.stringify(bigrams(needle)), needle);
  }
  if (leaves.length) {
    hit.push('category_id in (select jsonb_array_elements_text(?::jsonb))');
    hitParams.push(JSON.stringify(leaves));
  }
  return {
    sql: `with hits as materialized (select id from catalog_item where ${hit.join(' and ')})
          select ${COLUMNS} from hits join mall_item mi on mi.item_id = hits.id join catalog_item ci on ci.id = hits.id
          where ${where.join(' and ')} ${order}`,
    params: [...hitParams, mallId, ...params],
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
