import type { SupplierSku } from './supplier-shapes.ts';

/**
 * A digest of everything a listing is compared on with its stored offer: the offer's own fields,
 * the item it belongs to (its match key) and the canonical category it would give that item. Two
 * listings with the same digest write the same offer, so a re-sync skips a listing whose digest is
 * the one stored with its offer.
 *
 * 52 bits, exact as a JS number and in PostgreSQL's bigint: a change taken for no change needs two
 * listings of one SKU to collide, about 1 in 4.5·10^15 per changed listing. Not cryptographic: the
 * supplier could only make its own listing look unchanged. Computed in JavaScript (two 32-bit
 * multiply-xor lanes over the UTF-16 code units): a re-sync digests every listing of a catalog, and
 * SHA-1 with its hex string cost three times as much of the sync worker's CPU.
 */
export function listingHash(s: SupplierSku, matchKey: string, categoryId: string | null): number {
  // Fields apart by a control character no field holds as such; null and absent apart from ''.
  const compared = [
    matchKey, s.title, s.costFen, s.marketPriceFen ?? '\u0002', s.stock ?? '\u0002', s.onShelf ? 1 : 0, s.supplierCategoryId ?? '\u0002',
    s.categoryPath.join('\u0003'), s.categoryPath.length, categoryId ?? '\u0002',
  ].join('\u0001');
  return hash52(compared);
}

/** cyrb53's mixing (a public-domain string hash by bryc), its two lanes kept to 52 bits. */
function hash52(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 & 0xfffff) * 4294967296 + (h1 >>> 0);
}
