/**
 * Rules that turn supplier listings into one canonical catalog: which listings are the same item
 * (match keys), how titles are indexed for Chinese substring search (character bigrams), and how
 * stock reads to a member (in_stock / low / out_of_stock).
 */

/** Fields a match key is derived from (a neutral supplier SKU has them all). */
export interface MatchInput {
  supplierId: string;
  supplierSkuId: string;
  gtin: string | null;
  brand: string | null;
  model: string | null;
  virtual: { type: string; platform: string; faceValueFen: number } | null;
}

/** Full-width to half-width, lower case, no spaces or punctuation: 海尔 BCD-470 and 海尔bcd470 agree. */
export function normalizeText(s: string): string {
  if (!PLAIN.test(s)) return normalizeFully(s);
  // Same result without NFKC (tested character by character and on random strings against
  // normalizeFully): every sync normalises each listing's brand, model and title, and NFKC with
  // the Unicode-class pattern was the larger part of a first sync's key and gram work.
  const t = s.toLowerCase().replace(PLAIN_DROP, '');
  return PLAIN_WIDE.test(t) ? t.replace(PLAIN_WIDE_ALL, narrowChar) : t;
}

/** The definition: NFKC, lower case, then spaces, punctuation and symbols removed. */
export function normalizeFully(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

// The characters of nearly every title, brand and model: ASCII, CJK punctuation (U+3000–303F)
// and unified ideographs, and the full-width forms of ASCII (U+FF01–FF5E). On these NFKC works
// character by character: none composes with a neighbour (the combining marks U+302A–302F are
// left out), so normalising a string of them is normalising each character. Each character is
// either kept as it is (bar case), removed, or (full-width) made its ASCII self; those mapped to
// anything else (U+3036, U+3038–303A) are left out, so their strings take the full path.
const hex = (c: number): string => `\\u${c.toString(16).padStart(4, '0')}`;
function charClass(codes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < codes.length; ) {
    let j = i;
    while (j + 1 < codes.length && codes[j + 1] === (codes[j] as number) + 1) j++;
    out += i === j ? hex(codes[i] as number) : `${hex(codes[i] as number)}-${hex(codes[j] as number)}`;
    i = j + 1;
  }
  return out;
}
const plainKept: number[] = [];
const plainDropped: number[] = [];
for (const [from, to] of [[0x0000, 0x007f], [0x3000, 0x3029], [0x3030, 0x303f], [0xff01, 0xff5e]] as const) {
  for (let c = from; c <= to; c++) {
    const ch = String.fromCharCode(c);
    const full = normalizeFully(ch);
    if (full === '') plainDropped.push(c);
    else if (full === ch.toLowerCase() || (c >= 0xff01 && full === String.fromCharCode(c - 0xfee0).toLowerCase())) plainKept.push(c);
  }
}
const PLAIN = new RegExp(`^[${charClass([...plainKept, ...plainDropped].sort((a, b) => a - b))}\\u4e00-\\u9fff]*$`);
const PLAIN_DROP = new RegExp(`[${charClass(plainDropped)}]+`, 'g');
const PLAIN_WIDE = /[\uff01-\uff5e]/;
const PLAIN_WIDE_ALL = /[\uff01-\uff5e]/g;
const narrowChar = (c: string): string => String.fromCharCode(c.charCodeAt(0) - 0xfee0);

/** Valid GTIN-8/12/13/14 check digit (GS1 mod 10). */
export function isValidGtin(gtin: string): boolean {
  if (!/^(\d{8}|\d{12,14})$/.test(gtin)) return false;
  // Digits weighted 3, 1, 3… from the one before the check digit leftwards (a loop: every listing
  // of every sync goes through here).
  let sum = 0;
  for (let i = gtin.length - 2, w = 3; i >= 0; i--, w = 4 - w) sum += (gtin.charCodeAt(i) - 48) * w;
  return (10 - (sum % 10)) % 10 === gtin.charCodeAt(gtin.length - 1) - 48;
}

/**
 * The key under which listings of the same product meet: a valid GTIN first (padded to 14
 * digits so GTIN-13 and its GTIN-14 form agree), then brand + model, then for virtual goods
 * type + platform + face value; a listing with none of these is an item of its own.
 */
export function matchKey(s: MatchInput): string {
  if (s.virtual) return `v:${s.virtual.type}|${normalizeText(s.virtual.platform)}|${s.virtual.faceValueFen}`;
  if (s.gtin && isValidGtin(s.gtin)) return `gtin:${s.gtin.padStart(14, '0')}`;
  const brand = s.brand ? normalizeText(s.brand) : '';
  const model = s.model ? normalizeText(s.model) : '';
  if (brand && model) return `bm:${brand}|${model}`;
  return `sku:${s.supplierId}:${s.supplierSkuId}`;
}

/** The distinct character bigrams of a text, after normalisation; what the search index stores. */
export function bigrams(text: string): string[] {
  return bigramsOfNormalized(normalizeText(text));
}

/** Bigrams of a text already passed through normalizeText (the sync normalises once for both uses). */
export function bigramsOfNormalized(normalized: string): string[] {
  if (normalized.length <= 96 && !SURROGATE.test(normalized)) {
    // One UTF-16 unit per character, and short (a title): a bigram is kept unless it occurred
    // earlier, checked on the char codes. A third cheaper than a Set of strings; quadratic, hence
    // only for short texts.
    const out: string[] = [];
    next: for (let i = 0; i + 1 < normalized.length; i++) {
      const a = normalized.charCodeAt(i);
      const b = normalized.charCodeAt(i + 1);
      for (let j = 0; j < i; j++) if (normalized.charCodeAt(j) === a && normalized.charCodeAt(j + 1) === b) continue next;
      out.push(normalized.slice(i, i + 2));
    }
    return out;
  }
  const out = new Set<string>();
  const chars = [...normalized];
  for (let i = 0; i + 1 < chars.length; i++) out.add(`${chars[i]}${chars[i + 1]}`);
  return [...out];
}
const SURROGATE = /[\ud800-\udfff]/;

/** Stock as the mall shows it: low is 10 units or fewer. */
export const STOCK_STATUSES = ['in_stock', 'low', 'out_of_stock'] as const;
export type StockStatus = (typeof STOCK_STATUSES)[number];

export function stockStatus(units: number | null, available = true): StockStatus {
  if (!available || units === 0) return 'out_of_stock';
  if (units === null) return 'in_stock';
  return units <= 10 ? 'low' : 'in_stock';
}

/** The units above which every figure reads the same to a mall: more than 10 is in stock. */
export const STOCK_CAP = 11;

/**
 * The units a mall's price row keeps: exact up to 10, STOCK_CAP for anything more (and never
 * below 0). All a mall is shown or filtered on is the stock status and whether any unit is left,
 * which read the same from this (stockStatus(cappedStock(u)) is stockStatus(u) for any u ≥ 0), so
 * a change of 500 units to 480 rewrites no mall's row (it used to rewrite every mall's).
 */
export function cappedStock(units: number | null): number | null {
  return units === null ? null : Math.min(Math.max(units, 0), STOCK_CAP);
}
