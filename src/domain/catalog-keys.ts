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
  return s.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

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
  const chars = [...normalized];
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(`${chars[i]}${chars[i + 1]}`);
  return [...out];
}

/** Stock as the mall shows it: low is 10 units or fewer. */
export const STOCK_STATUSES = ['in_stock', 'low', 'out_of_stock'] as const;
export type StockStatus = (typeof STOCK_STATUSES)[number];

export function stockStatus(units: number | null, available = true): StockStatus {
  if (!available || units === 0) return 'out_of_stock';
  if (units === null) return 'in_stock';
  return units <= 10 ? 'low' : 'in_stock';
}
