import type { EntityManager } from '@mikro-orm/postgresql';
import { bigrams, normalizeText, type StockStatus, stockStatus } from '../domain/catalog-keys.ts';
import { BRAND_FACET_SIZE, type CatalogFacet, type CatalogSort, facetCategoryOf, isPinyinQuery, POINTS_BANDS } from '../domain/catalog-search.ts';
import { categoriesNamed, categoryById, leavesUnder } from '../domain/taxonomy.ts';
import { executeByShape } from '../persistence/bound-query.ts';
import { readSearchPage, RELEVANCE_SLACK, searchShape } from './search-page-store.ts';

/** Filters of GET /v1/catalog/items. */
export interface CatalogFilter {
  kind?: 'physical' | 'virtual' | 'service' | undefined;
  category?: string | undefined;
  pointsMin?: number | undefined;
  pointsMax?: number | undefined;
  q?: string | undefined;
  inStock?: boolean | undefined;
  limit: number;
  /** The order (default points_asc); relevance needs a `q`. */
  sort?: CatalogSort | undefined;
  /** The last row's key of the previous page in this sort (rank and pos for relevance only). */
  after?: CatalogKey | undefined;
}

/** Where a row stands in its sort: what a cursor carries. */
export interface CatalogKey {
  points: number;
  itemId: string;
  rank?: number | undefined;
  pos?: number | undefined;
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

/** A row of a catalog page: its keys in the page's order and the item as the API shows it, already JSON. */
interface PageRow {
  item_id: string; points: number; item_json: string;
  rank?: number; pos?: number;
  /** Search pages off the index: the points the item is posted at (its key in the page's order). */
  order_points?: number;
  /** Relevance pages off the index: whether the mall still sells the hit, and its item id whether or not. */
  sold?: boolean;
  order_item?: string;
}

const view = (r: Row): MallCatalogItem => ({
  skuId: r.sku_id, title: r.title, brand: r.brand, kind: r.kind, categoryPath: r.category_path, images: r.images, points: r.points,
  cashFen: r.cash_fen, marketPriceFen: r.market_price_fen, stock: stockStatus(r.stock_units), attributes: r.attributes,
});

// Arrays as JSON: the driver parses a JSON column with the engine's JSON.parse, where a text[]
// goes through a JavaScript array parser that took a tenth of the API's CPU serving search pages.
const COLUMNS = 'mi.item_id, ci.sku_id, ci.title, ci.brand, ci.kind, to_json(ci.category_path) as category_path, to_json(ci.images) as images, ci.attributes, ci.market_price_fen, mi.points, mi.cash_fen, mi.stock_units';

/**
 * A page's rows: their keys and each item as `view` would show it, written as JSON by PostgreSQL.
 * The API then joins the texts into its answer instead of parsing each row's fields and writing
 * them out again: that was about 13 µs of the API's CPU per item, 60 % of a 50-item page's.
 * The item's own fields come as JSON already (catalog_item_page, written with the item, migration
 * 0027, joined as `pg` by PAGE_JOIN): a page only adds the mall's points, cash and stock, which
 * halved PostgreSQL's time for a page. An item without that row (written by hand, say) is shown
 * from its columns. (stock as stockStatus in domain/catalog-keys.ts.)
 */
const PAGE_COLUMNS = `mi.item_id, mi.points, concat('{',
  coalesce(pg.json, (select catalog_item_page_json(c.sku_id, c.title, c.brand, c.kind, c.category_path, c.images, c.market_price_fen, c.attributes)
                     from catalog_item c where c.id = mi.item_id)),
  ',"points":', mi.points, ',"cashFen":', mi.cash_fen,
  ',"stock":"', case when mi.stock_units is null then 'in_stock' when mi.stock_units = 0 then 'out_of_stock' when mi.stock_units <= 10 then 'low' else 'in_stock' end,
  '"}') as item_json`;
/** The join PAGE_COLUMNS reads an item's page JSON through, for the item id `itemId`. */
export const pageJoin = (itemId: string): string => `left join catalog_item_page pg on pg.item_id = ${itemId}`;

/** A condition and its parameters. */
interface Clause { sql: string; params: unknown[] }

/**
 * Which catalog_item rows a normalised query finds: every character pair of the query in the
 * bigram index (GIN), then the normalised text holding the query as one substring (冰箱 finds
 * 海尔冰箱; 冰箱门 does not match 门冰箱). A query of letters also matches the full pinyin or the
 * initials of the title or brand (trigram indexes; a two-letter query has no trigram and scans them).
 */
function searchClause(needle: string): Clause {
  const text = 'search_grams @> (select array(select jsonb_array_elements_text(?::jsonb))) and strpos(search_text, ?) > 0';
  const textParams = [JSON.stringify(bigrams(needle)), needle];
  if (!isPinyinQuery(needle)) return { sql: text, params: textParams };
  // Letters only: no LIKE wildcard or escape can be in the needle.
  return { sql: `((${text}) or search_pinyin like ? or search_initials like ?)`, params: [...textParams, `%${needle}%`, `%${needle}%`] };
}

// Title and brand normalised in SQL for the exact-match rank (search_norm, migration 0024, which
// the search index uses too): close to normalizeText (which the stored columns went through) for
// what titles and brands hold; it only orders, never filters.
const NORM = (col: string) => `search_norm(${col})`;

/** The relevance keys of a hit (see relevanceOf in domain/catalog-search.ts for the definition). */
function relevanceColumns(needle: string): Clause {
  const pinyinToo = isPinyinQuery(needle);
  const exact = [`${NORM("coalesce(brand, '')")} = ?`, `${NORM('title')} = ?`];
  const exactParams: unknown[] = [needle, needle];
  const prefix = ['strpos(search_text, ?) = 1'];
  const prefixParams: unknown[] = [needle];
  const pos = ['nullif(strpos(search_text, ?), 0)'];
  const posParams: unknown[] = [needle];
  if (pinyinToo) {
    for (const col of ['search_pinyin', 'search_initials']) {
      exact.push(`split_part(${col}, '|', 1) = ?`, `split_part(${col}, '|', 2) = ?`);
      exactParams.push(needle, needle);
      prefix.push(`starts_with(${col}, ?)`);
      prefixParams.push(needle);
      pos.push(`nullif(strpos(${col}, ?), 0)`);
      posParams.push(needle);
    }
  }
  return {
    sql: `case when ${exact.join(' or ')} then 0 when ${prefix.join(' or ')} then 1 else 2 end as rank, coalesce(${pos.join(', ')}, 0) as pos`,
    params: [...exactParams, ...prefixParams, ...posParams],
  };
}

/** The filter's conditions on the mall's prices (mall_item as mi), without the cursor. */
function mallConditions(mallId: string, f: CatalogFilter, leaves: string[], withCategory: boolean): { conds: string[]; params: unknown[] } {
  const conds: string[] = ['mi.mall_id = ?', 'mi.sellable'];
  const params: unknown[] = [mallId];
  const on = (clause: string, ...values: unknown[]) => {
    conds.push(clause);
    params.push(...values);
  };
  if (f.kind) on('mi.kind = ?', f.kind);
  if (f.pointsMin !== undefined) on('mi.points >= ?', f.pointsMin);
  if (f.pointsMax !== undefined) on('mi.points <= ?', f.pointsMax);
  if (f.inStock) on('(mi.stock_units is null or mi.stock_units > 0)');
  if (withCategory && f.category) on(`mi.category_id in (${leaves.map(() => '?').join(', ')})`, ...leaves);
  return { conds, params };
}

const leavesOf = (category: string | undefined): string[] => (category ? [...new Set(categoriesNamed(category).flatMap((n) => leavesUnder(n.id)))] : []);

/** The SQL of one catalog page, its parameters, and whether its plan holds whatever the values (`shaped`: prepared once per shape). */
function catalogPageSql(mallId: string, f: CatalogFilter): { sql: string; params: unknown[]; shaped: boolean } {
  const sort: CatalogSort = f.sort ?? 'points_asc';
  if (sort === 'relevance' && !f.q) throw new Error('relevance needs a query');
  // Points orders read the (points, item id) index forwards or backwards; the cursor is the last row's key.
  const dir = sort === 'points_desc' ? 'desc' : 'asc';
  const cmp = sort === 'points_desc' ? '<' : '>';
  const order = (p: string) => `${p}.points ${dir}, ${p}.item_id ${dir}`;
  const limit = Math.trunc(f.limit) + 1;
  // A category is the set of its leaves, each a range of the mall's (category, points) index.
  const leaves = leavesOf(f.category);
  if (f.category && !f.q) {
    const mall = mallConditions(mallId, f, leaves, false);
    if (f.after) {
      mall.conds.push(`(mi.points, mi.item_id) ${cmp} (?, ?)`);
      mall.params.push(f.after.points, f.after.itemId);
    }
    // One ordered, limited index range per leaf, merged: a page costs (leaves × page size) rows
    // whatever the category's size or where its prices sit in the points order.
    const branches = leaves.map(
      () => `(select mi.* from mall_item mi where ${mall.conds.join(' and ')} and mi.category_id = ? order by ${order('mi')} limit ${limit})`,
    );
    return {
      sql: `select ${PAGE_COLUMNS} from (${branches.join(' union all ')}) mi ${pageJoin('mi.item_id')} order by ${order('mi')} limit ${limit}`,
      params: leaves.flatMap((leaf) => [...mall.params, leaf]),
      shaped: true,
    };
  }
  const mall = mallConditions(mallId, f, leaves, true);
  if (!f.q) {
    if (f.after) {
      mall.conds.push(`(mi.points, mi.item_id) ${cmp} (?, ?)`);
      mall.params.push(f.after.points, f.after.itemId);
    }
    return {
      sql: `select ${PAGE_COLUMNS} from mall_item mi ${pageJoin('mi.item_id')} where ${mall.conds.join(' and ')} order by ${order('mi')} limit ${limit}`,
      params: mall.params,
      shaped: true,
    };
  }
  // Search first, as its own materialised step. Left to itself the planner walks the points index
  // instead and, titles and prices being correlated, reads most of it (2.3 s at 1M for q=冰箱).
  const needle = normalizeText(f.q);
  const search = searchClause(needle);
  const relevance = sort === 'relevance' ? relevanceColumns(needle) : { sql: '0 as rank, 0 as pos', params: [] };
  if (f.after) {
    if (sort === 'relevance') {
      mall.conds.push('(hits.rank, hits.pos, mi.points, mi.item_id) > (?, ?, ?, ?)');
      mall.params.push(f.after.rank ?? 0, f.after.pos ?? 0, f.after.points, f.after.itemId);
    } else {
      mall.conds.push(`(mi.points, mi.item_id) ${cmp} (?, ?)`);
      mall.params.push(f.after.points, f.after.itemId);
    }
  }
  const topOrder = sort === 'relevance' ? 'hits.rank, hits.pos, mi.points, mi.item_id' : order('mi');
  const finalOrder = sort === 'relevance' ? 'mi.rank, mi.pos, mi.points, mi.item_id' : order('mi');
  return {
    // Then the mall's price of each hit by key (offset 0 keeps the planner from turning these
    // lookups into hash joins over whole tables when it misjudges the hit count), the page's top
    // rows in the sort, and only for those the item's full row.
    sql: `with hits as materialized (select id, ${relevance.sql} from catalog_item where ${search.sql}),
          top as (
            select mi.*, hits.rank, hits.pos from hits
            cross join lateral (select item_id, mall_id, points, cash_fen, stock_units, kind, category_id, sellable from mall_item m where m.mall_id = ? and m.item_id = hits.id offset 0) mi
            where ${mall.conds.join(' and ')} order by ${topOrder} limit ${limit}
          )
          select ${PAGE_COLUMNS}, mi.rank, mi.pos from top mi ${pageJoin('mi.item_id')} order by ${finalOrder}`,
    params: [...relevance.params, ...search.params, mallId, ...mall.params],
    // Planned with its values: the search's selectivity decides the plan.
    shaped: false,
  };
}

/** A page of a mall's sellable catalog in the filter's sort: its items as a JSON array, how many, and the key of its last row. */
export async function queryMallCatalog(em: EntityManager, mallId: string, f: CatalogFilter): Promise<{ itemsJson: string; count: number; last: CatalogKey | null }> {
  // A search the mall's posting index can answer reads it; anything else (and a mall whose index
  // is being built) runs the SQL below.
  const shape = searchShape(f.q, f.sort);
  const indexed = shape
    ? await readSearchPage<PageRow>(em, mallId, shape, {
        kind: f.kind, pointsMin: f.pointsMin, pointsMax: f.pointsMax, inStock: f.inStock, leaves: leavesOf(f.category),
        desc: f.sort === 'points_desc', after: f.after, rows: Math.trunc(f.limit) + 1,
      }, { columns: PAGE_COLUMNS, join: pageJoin })
    : null;
  let rows = indexed;
  if (!rows) {
    const { sql, params, shaped } = catalogPageSql(mallId, f);
    // A filter page reads an ordered index range whatever its values: a prepared statement per
    // shape. A search on this path is planned with its values each time.
    rows = shaped ? await executeByShape<PageRow>(em, sql, params) : await em.getConnection().execute<PageRow[]>(sql, params);
  }
  const { page, lastRow } = indexed && shape?.relevance
    ? soldPage(rows, f.limit, f.limit + 1 + RELEVANCE_SLACK)
    : { page: rows.slice(0, f.limit), lastRow: rows.length > f.limit ? rows[f.limit - 1] : undefined };
  const itemsJson = `[${page.map((r) => r.item_json).join(',')}]`;
  if (!lastRow) return { itemsJson, count: page.length, last: null };
  const last: CatalogKey = { points: Number(lastRow.order_points ?? lastRow.points), itemId: String(lastRow.order_item ?? lastRow.item_id) };
  if (f.sort === 'relevance') Object.assign(last, { rank: Number(lastRow.rank), pos: Number(lastRow.pos) });
  return { itemsJson, count: page.length, last };
}

/**
 * A relevance page off the index from the postings it read (`fetched` at most): the hits the
 * mall still sells, and where the next page starts. A page may come out short while the indexer
 * catches up with items no longer sold; its cursor then starts after every posting it read.
 */
function soldPage(rows: PageRow[], limit: number, fetched: number): { page: PageRow[]; lastRow: PageRow | undefined } {
  const sold = rows.filter((r) => r.sold);
  if (sold.length > limit) return { page: sold.slice(0, limit), lastRow: sold[limit - 1] };
  return { page: sold, lastRow: rows.length >= fetched ? rows.at(-1) : undefined };
}

/** Counts of the whole filtered result (cursor and limit aside). */
export interface CatalogFacets {
  category?: { id: string; name: string; count: number }[];
  brand?: { brand: string; count: number }[];
  points?: { band: string; min: number; max: number | null; count: number }[];
}

/**
 * The facets asked for, over every item the filter finds (not just the page), in one statement:
 * the filtered rows once, then a count per leaf category (rolled up in JS to the level below the
 * filtered category, or the top level), per brand (the 20 most common; items without a brand are
 * not counted) and per fixed points band.
 */
export async function queryCatalogFacets(em: EntityManager, mallId: string, f: CatalogFilter, facets: readonly CatalogFacet[]): Promise<CatalogFacets> {
  if (facets.length === 0) return {};
  const leaves = leavesOf(f.category);
  const band = (points: string) => `case ${POINTS_BANDS.map((b) => (b.max === null ? `else '${b.key}'` : `when ${points} <= ${b.max} then '${b.key}'`)).join(' ')} end`;
  const parts: string[] = [];
  if (facets.includes('category')) parts.push("(select 'category' as facet, category_id as key, count(*)::int as n from filtered group by category_id)");
  if (facets.includes('brand')) parts.push(`(select 'brand', brand, count(*)::int from filtered where brand is not null group by brand order by count(*) desc, brand limit ${BRAND_FACET_SIZE})`);
  if (facets.includes('points')) parts.push("(select 'points', band, count(*)::int from filtered group by band)");
  const mall = mallConditions(mallId, f, leaves, true);
  const search = f.q ? searchClause(normalizeText(f.q)) : null;
  const from = search
    ? `(select id from catalog_item where ${search.sql}) hits join mall_item mi on mi.item_id = hits.id join catalog_item ci on ci.id = hits.id`
    : 'mall_item mi join catalog_item ci on ci.id = mi.item_id';
  // Counted in SQL even for a search the posting index answers: the brand facet needs every hit's
  // item row, and fetching those is the cost either way (measured: 170–350 ms at 1 000 000 SKUs
  // for 9 000–18 000 hits through the postings as through the bigram GIN).
  const rows = await em.getConnection().execute<{ facet: string; key: string | null; n: number }[]>(
    `with filtered as materialized (select mi.category_id, ci.brand, ${band('mi.points')} as band from ${from} where ${mall.conds.join(' and ')})
     ${parts.join(' union all ')}`,
    [...(search?.params ?? []), ...mall.params],
  );
  const out: CatalogFacets = {};
  if (facets.includes('category')) {
    const level = Math.min(...(f.category ? categoriesNamed(f.category).map((n) => n.level) : [0]));
    const counts = new Map<string, number>();
    for (const r of rows) {
      if (r.facet !== 'category') continue;
      const id = facetCategoryOf(r.key, level);
      if (id) counts.set(id, (counts.get(id) ?? 0) + r.n);
    }
    out.category = [...counts].map(([id, count]) => ({ id, name: categoryById(id)?.name ?? id, count })).sort((a, b) => b.count - a.count || a.id.localeCompare(b.id));
  }
  if (facets.includes('brand')) out.brand = rows.filter((r) => r.facet === 'brand').map((r) => ({ brand: r.key ?? '', count: r.n })).sort((a, b) => b.count - a.count || (a.brand < b.brand ? -1 : a.brand > b.brand ? 1 : 0));
  if (facets.includes('points')) {
    const counts = new Map(rows.filter((r) => r.facet === 'points').map((r) => [r.key, r.n]));
    out.points = POINTS_BANDS.map((b) => ({ band: b.key, min: b.min, max: b.max, count: counts.get(b.key) ?? 0 }));
  }
  return out;
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
