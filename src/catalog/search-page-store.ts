import type { EntityManager } from '@mikro-orm/postgresql';
import { bigramsOfNormalized, normalizeText } from '../domain/catalog-keys.ts';
import { isPinyinQuery } from '../domain/catalog-search.ts';
import { executeByShape } from '../persistence/bound-query.ts';
import { rarestGram } from './posting-count-store.ts';

/**
 * A search page read off the mall's posting index (src/catalog/search-index-store.ts): the postings of
 * one bigram of the query in the sort's order, filtered by what the index carries (points, kind,
 * category, in stock), each hit checked against the mall's current row (still sold) and, for a
 * query longer than its bigram, against the item's text. A page costs about its own length in
 * index entries whatever the number of hits, which is what makes 手机 (18 000 hits) as fast as 海尔.
 * The mall's readiness and the page are one statement: one round trip. The rarest bigram of a
 * longer query is picked from posting counts this process remembers (posting-count-store.ts).
 */

/** A bigram as the index stores it (search_gram_code in SQL): its two code points in one integer. */
export function gramCode(gram: string): number {
  const [a, b] = [...gram].map((c) => c.codePointAt(0) ?? 0);
  return (a ?? 0) * 2 ** 21 + (b ?? 0);
}

/** What the index needs of a search: the normalised query and its bigrams. */
export interface SearchShape {
  needle: string;
  grams: number[];
  /** The query is exactly its bigram: a posting is a hit, no text check needed. */
  exact: boolean;
  /** Relevance order (a two-character query only: the index holds its rank and position). */
  relevance: boolean;
}

/**
 * The shape of a search the index can answer, or null when the SQL path must: no query, a query
 * of one character (no bigram), letters only (matched against pinyin too), or relevance order for
 * a query longer than two characters (its rank needs the whole text).
 */
export function searchShape(q: string | undefined, sort: string | undefined): SearchShape | null {
  if (!q) return null;
  const needle = normalizeText(q);
  const grams = bigramsOfNormalized(needle).map(gramCode);
  const exact = [...needle].length === 2;
  if (grams.length === 0 || isPinyinQuery(needle) || (sort === 'relevance' && !exact)) return null;
  return { needle, grams, exact, relevance: sort === 'relevance' };
}

/** The filters of a search page, as catalog-query.ts passes them. */
export interface PostingFilter {
  kind?: string | undefined;
  pointsMin?: number | undefined;
  pointsMax?: number | undefined;
  inStock?: boolean | undefined;
  leaves: readonly string[];
  desc: boolean;
  after?: { points: number; itemId: string; rank?: number | undefined; pos?: number | undefined } | undefined;
  /** Rows to return (a page and one more, to know whether there is a next). */
  rows: number;
}

// Relevance as defined in domain/catalog-search.ts (relevanceOf), for a query that is its bigram.
const RANK = 'case when p.whole then 0 when p.pos = 1 then 1 else 2 end';

/** What a page outputs: its columns (mi: the mall's row) and a join they need, for an item id. */
export interface PageOutput {
  columns: string;
  join?: (itemId: string) => string;
}

/** Postings a relevance page reads beyond its length, for hits no longer sold that the indexer has not caught up with yet. */
export const RELEVANCE_SLACK = 20;

/**
 * A page off the index, or null when the mall's index is not ready (being built or rebuilt: the
 * caller takes the SQL path). `page.columns` are the page's output columns (mi: the mall's row;
 * whatever `page.join` joins for an item id); every row also carries `order_points` (the posting's points: the page's order and
 * cursor) and, for relevance, `sold`, `order_item`, `rank` and `pos`.
 */
export async function readSearchPage<R>(em: EntityManager, mallId: string, shape: SearchShape, f: PostingFilter, page: PageOutput): Promise<R[] | null> {
  // The postings walked are those of the query's rarest bigram (its only one for two characters).
  const gram = shape.grams.length === 1 ? shape.grams[0] : await rarestGram(em, mallId, shape.grams);
  if (gram === undefined || gram === null) return null;
  const { sql, params } = searchPageSql(mallId, shape, gram, f, page);
  // One text per shape of filters, every value bound: prepared once per pooled connection. The plan
  // is the same whatever the values (the bigram's posting range in the sort's order).
  const rows = await executeByShape<R & { index_key: number | null; found: number | null }>(em, sql, params);
  // No row: the mall is not ready. One row without a hit: ready, nothing found.
  if (rows.length === 0) return null;
  return rows.filter((r) => r.found !== null);
}

/** Whether a mall's index is ready: the CTE `m` (one row, its search key, when ready) every statement here starts with. */
const READY = "with m as (select search_key from mall where id = ? and search_state = 'ready')";

/** The postings of one bigram of the query passing the filters the index carries: conditions on `p`. */
function postingConditions(gram: number, f: Omit<PostingFilter, 'desc' | 'after' | 'rows'>): { conds: string[]; params: unknown[] } {
  const conds = ['p.search_key = (select search_key from m)', 'p.gram = ?::bigint'];
  const params: unknown[] = [gram];
  const on = (clause: string, ...values: unknown[]) => {
    conds.push(clause);
    params.push(...values);
  };
  if (f.kind) on('p.kind = ?', f.kind);
  if (f.pointsMin !== undefined) on('p.points >= ?', f.pointsMin);
  if (f.pointsMax !== undefined) on('p.points <= ?', f.pointsMax);
  if (f.inStock) on('p.in_stock');
  if (f.leaves.length) on(`p.category_id in (${f.leaves.map(() => '?').join(', ')})`, ...f.leaves);
  return { conds, params };
}

function searchPageSql(mallId: string, shape: SearchShape, gram: number, f: PostingFilter, { columns, join }: PageOutput): { sql: string; params: unknown[] } {
  const dir = f.desc ? 'desc' : 'asc';
  const { conds, params } = postingConditions(gram, f);
  const on = (clause: string, ...values: unknown[]) => {
    conds.push(clause);
    params.push(...values);
  };
  if (shape.relevance) {
    if (f.after) on(`(${RANK}, p.pos, p.points, p.item_id) > (?, ?, ?, ?)`, f.after.rank ?? 0, f.after.pos ?? 0, f.after.points, f.after.itemId);
    // Every posting of the bigram is ranked from the index alone (no heap, no text), the page's
    // best taken, and only those looked up: whether the mall still sells each (`sold`; the caller
    // skips those it does not) and the item's row.
    return {
      sql: `${READY},
            top as (
              select p.item_id, p.points as order_points, ${RANK} as rank, p.pos::int as pos from search_posting p
              where ${conds.join(' and ')}
              order by 3, 4, 2, 1 limit ${Math.trunc(f.rows) + RELEVANCE_SLACK}
            )
            select m.search_key as index_key, x.* from m left join (
              select ${columns}, coalesce(mi.sellable, false) as sold, top.item_id as order_item, top.order_points, top.rank, top.pos, 1 as found
              from top left join mall_item mi on mi.mall_id = ? and mi.item_id = top.item_id ${join?.('top.item_id') ?? ''}
            ) x on true
            order by x.rank, x.pos, x.order_points, x.order_item`,
      params: [mallId, ...params, mallId],
    };
  }
  // The cursor is the posting's key: pages follow the index's order even while prices change.
  if (f.after) on(`(p.points, p.item_id) ${f.desc ? '<' : '>'} (?, ?)`, f.after.points, f.after.itemId);
  const text = shape.exact ? '' : 'join catalog_item t on t.id = p.item_id and strpos(t.search_text, ?) > 0';
  return {
    sql: `${READY},
          top as (
            select mi.item_id, mi.points, mi.cash_fen, mi.stock_units, p.points as order_points
            from search_posting p
            join mall_item mi on mi.mall_id = ? and mi.item_id = p.item_id and mi.sellable
            ${text}
            where ${conds.join(' and ')}
            order by p.points ${dir}, p.item_id ${dir} limit ${Math.trunc(f.rows)}
          )
          select m.search_key as index_key, x.* from m left join (
            select ${columns}, mi.order_points, 1 as found from top mi ${join?.('mi.item_id') ?? ''}
          ) x on true
          order by x.order_points ${dir}, x.item_id ${dir}`,
    params: [mallId, mallId, ...(shape.exact ? [] : [shape.needle]), ...params],
  };
}
