/**
 * What a shopper's search means beyond substrings (issue 21): pinyin keys of an item, the sort
 * orders and their cursors, the relevance rank, and the facets (category level, points bands).
 */
import { pinyin } from 'pinyin-pro';
import { normalizeText } from './catalog-keys.ts';
import { categoryById, lineageOf } from './taxonomy.ts';

/** Orders of GET /v1/catalog/items. */
export const CATALOG_SORTS = ['points_asc', 'points_desc', 'relevance'] as const;
export type CatalogSort = (typeof CATALOG_SORTS)[number];

/** Facets a page may carry. */
export const CATALOG_FACETS = ['category', 'brand', 'points'] as const;
export type CatalogFacet = (typeof CATALOG_FACETS)[number];

/** How many brands the brand facet lists (the most common first). */
export const BRAND_FACET_SIZE = 20;

/**
 * Fixed points bands: [min, max] inclusive, the last open. Fixed rather than computed from the
 * result so a mall can draw them as stable filter chips and pass a band back as pointsMin/pointsMax.
 */
export const POINTS_BANDS: readonly { key: string; min: number; max: number | null }[] = [
  { key: '0-999', min: 0, max: 999 },
  { key: '1000-4999', min: 1000, max: 4999 },
  { key: '5000-19999', min: 5000, max: 19_999 },
  { key: '20000-49999', min: 20_000, max: 49_999 },
  { key: '50000+', min: 50_000, max: null },
];

/** The band of a price (what the SQL's case expression computes too). */
export function pointsBandOf(points: number): string {
  const band = POINTS_BANDS.find((b) => points >= b.min && (b.max === null || points <= b.max));
  return band?.key ?? '0-999';
}

/**
 * The category a facet counts an item's leaf under: the level below the filtered category (its
 * children: what a shopper narrows to next), or the top level when no category is filtered. A
 * filtered leaf counts under itself. Null for an item without a category.
 */
export function facetCategoryOf(leafId: string | null, filteredLevel: number): string | null {
  if (!leafId) return null;
  const chain = lineageOf(leafId);
  const node = chain[Math.min(filteredLevel, chain.length - 1)];
  return node?.id ?? null;
}

/** The level (1 to 3) of a category filter's node; 0 without one. */
export const categoryLevel = (id: string | undefined): number => (id ? (categoryById(id)?.level ?? 0) : 0);

const HAN = /\p{Script=Han}/u;

// Each Chinese character's reading, asked of pinyin-pro once per character and process. Converting
// whole titles with the library (which picks a polyphone's reading from its neighbours) costs about
// 0.5 ms a title, minutes over a million-SKU sync; a lookup per character costs microseconds, and the
// price is that a polyphone reads as its most common reading (重庆 → zhongqing, not chongqing).
const readings = new Map<string, string>();
function readingOf(ch: string): string {
  let r = readings.get(ch);
  if (r === undefined) {
    // Tone marks off, ü as v (lü → lv) the way pinyin keyboards type it.
    r = pinyin(ch, { toneType: 'none' }).toLowerCase().replace(/ü/g, 'v').replace(/[^a-z]/g, '');
    readings.set(ch, r || ch);
  }
  return r || ch;
}

/**
 * The pinyin keys of an already normalised text (normalizeText): its full pinyin without tones or
 * spaces and its initials, one letter per character. Other characters (Latin, digits) are kept as
 * they are in both, as runs of their own: a space stands between a run of Chinese characters and
 * one of anything else (海尔bcd → haier bcd, he bcd). A query of letters never holds a space, so
 * its letters come from one side: bx does not find 特步（Xtep）T恤, whose initials would otherwise
 * read tbxteptx (步 then the X of Xtep).
 */
export function pinyinKeys(normalized: string): { full: string; initials: string } {
  let full = '';
  let initials = '';
  let wasHan: boolean | null = null;
  for (const ch of normalized) {
    const han = HAN.test(ch);
    if (wasHan !== null && han !== wasHan) {
      full += ' ';
      initials += ' ';
    }
    wasHan = han;
    if (!han) {
      full += ch;
      initials += ch;
      continue;
    }
    const r = readingOf(ch);
    full += r;
    initials += r[0] ?? ch;
  }
  return { full, initials };
}

/**
 * The pinyin columns of an item: title and brand each normalised (normalizeText) then keyed
 * (pinyinKeys), joined by `|`. A query of letters never holds `|`, so it matches within the title
 * or within the brand, never across them, and the parts can be told apart for relevance.
 */
export function pinyinSearchKeys(title: string, brand: string | null): { pinyin: string; initials: string } {
  const t = pinyinKeys(normalizeText(title));
  const b = pinyinKeys(normalizeText(brand ?? ''));
  return { pinyin: `${t.full}|${b.full}`, initials: `${t.initials}|${b.initials}` };
}

/** Whether a normalised query is matched against the pinyin keys too: only Latin letters. */
export const isPinyinQuery = (needle: string): boolean => /^[a-z]+$/.test(needle);

/**
 * Whether an item matches a normalised query: its search text (title, brand and model) holds it,
 * or, for a query of letters, the full pinyin or the initials of its title or brand do.
 */
export function matchesQuery(needle: string, item: { searchText: string; pinyin: string; initials: string }): boolean {
  return item.searchText.includes(needle) || (isPinyinQuery(needle) && (item.pinyin.includes(needle) || item.initials.includes(needle)));
}

/**
 * Relevance, the default order with a `q`: three keys compared in order, lower first, then the item id.
 * 1. rank: 0 when the query is the whole title or the whole brand (normalised; for a query of
 *    letters also the full pinyin or initials of either), 1 when the search text (title, then brand
 *    and model) or a pinyin key starts with it, 2 otherwise;
 * 2. pos: where the query first stands in the search text (1-based), or else in the full pinyin,
 *    or else in the initials;
 * 3. points, lowest first.
 * The SQL computes the same (catalog-query.ts, relevanceColumns); this is its definition in JS.
 */
export function relevanceOf(
  needle: string,
  item: { title: string; brand: string | null; searchText: string; pinyin: string; initials: string },
): { rank: number; pos: number } {
  const letters = isPinyinQuery(needle);
  const parts = letters ? [...item.pinyin.split('|'), ...item.initials.split('|')] : [];
  const exact = normalizeText(item.title) === needle || normalizeText(item.brand ?? '') === needle || parts.includes(needle);
  const prefix = item.searchText.startsWith(needle) || (letters && (item.pinyin.startsWith(needle) || item.initials.startsWith(needle)));
  const positions = [item.searchText, ...(letters ? [item.pinyin, item.initials] : [])].map((t) => t.indexOf(needle) + 1);
  return { rank: exact ? 0 : prefix ? 1 : 2, pos: positions.find((p) => p > 0) ?? 0 };
}
