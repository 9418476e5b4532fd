import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bigrams, bigramsOfNormalized, cappedStock, isValidGtin, matchKey, normalizeFully, normalizeText, STOCK_CAP, stockStatus } from '../../src/domain/catalog-keys.ts';
import { goodsSku, locateGtin } from '../../fixtures/catalog/index.ts';

const base = { supplierId: 'jd', supplierSkuId: '1', gtin: null, brand: null, model: null, virtual: null };

describe('match keys', () => {
  it('joins the same GTIN from three suppliers into one key', () => {
    const opts = { seed: 1, size: 600 };
    // Find a product the generator shares across three or more suppliers.
    for (let i = 0; i < 600; i++) {
      const jd = goodsSku('jd', i, opts);
      const carriers = locateGtin(jd.gtin, opts);
      expect(isValidGtin(jd.gtin)).toBe(true);
      if (carriers.length < 3) continue;
      const keys = carriers.map((r) => {
        const s = goodsSku(r.supplier, r.index, opts);
        return matchKey({ ...base, supplierId: r.supplier, supplierSkuId: s.supplierSkuId, gtin: s.gtin, brand: s.brand, model: s.model });
      });
      expect(new Set(keys).size).toBe(1);
      expect(keys[0]).toMatch(/^gtin:/);
      // …while their titles differ.
      expect(new Set(carriers.map((r) => goodsSku(r.supplier, r.index, opts).title)).size).toBe(carriers.length);
      return;
    }
    throw new Error('no product carried by three suppliers');
  });

  it('falls back to brand + model, tolerant of width, case and punctuation', () => {
    expect(matchKey({ ...base, brand: '海尔', model: 'BCD-470WDPG' })).toBe(matchKey({ ...base, supplierId: 'taobao', brand: ' 海尔 ', model: 'ｂｃｄ４７０ｗｄｐｇ' }));
  });

  it('keys virtual goods by type, platform and face value, so two providers share an item', () => {
    const a = matchKey({ ...base, supplierId: 'topup-fulu', virtual: { type: 'phone_topup', platform: 'CMCC', faceValueFen: 5000 } });
    const b = matchKey({ ...base, supplierId: 'topup-yike', supplierSkuId: '88', virtual: { type: 'phone_topup', platform: 'cmcc', faceValueFen: 5000 } });
    expect(a).toBe(b);
    expect(matchKey({ ...base, virtual: { type: 'phone_topup', platform: 'CMCC', faceValueFen: 10000 } })).not.toBe(a);
  });

  it('ignores an invalid GTIN and keeps a listing with nothing to match on apart', () => {
    expect(matchKey({ ...base, gtin: '6901234567890' })).toMatch(/^sku:/);
    expect(isValidGtin('6901234567892')).toBe(true);
    expect(matchKey({ ...base, gtin: '6901234567892' })).toBe('gtin:06901234567892');
  });
});

describe('normalised text', () => {
  // normalizeText skips NFKC for the characters of nearly every listing; it must still answer
  // exactly what the definition (normalizeFully) answers, for those characters and any others.
  const around = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));
  const alphabet = [
    ...around(0x00, 0x7f), ...around(0x3000, 0x303f), ...around(0xff00, 0xffef), ...around(0x4e00, 0x4e20),
    '冰', '箱', '海', '尔', 'é', '\u0301', '①', '㎏', '\uf900', '\u1100', '\u1161', 'Σ', 'ß', 'İ', '😀', '\u00a0', '\u2028',
  ];

  it('answers the definition for every character of the fast path and its neighbours', () => {
    for (const a of alphabet) expect(normalizeText(a), a.codePointAt(0)?.toString(16)).toBe(normalizeFully(a));
    for (const a of alphabet) for (const b of ['a', 'Ａ', '\u0301', '\u3099', '冰', ' ', '〸']) expect(normalizeText(a + b)).toBe(normalizeFully(a + b));
  });

  it('answers the definition for any string (fast-check)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (chars) => {
      const text = chars.join('');
      expect(normalizeText(text)).toBe(normalizeFully(text));
    }), { numRuns: 3_000 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (text) => {
      expect(normalizeText(text)).toBe(normalizeFully(text));
    }));
  });

  it('keeps what titles hold and drops spaces and punctuation', () => {
    expect(normalizeText('海尔（Haier）冰箱 BCD-470【官方】')).toBe('海尔haier冰箱bcd470官方');
    expect(normalizeText('ＡＢＣ１２３！')).toBe('abc123');
  });
});

describe('search bigrams', () => {
  it('pairs characters, not UTF-16 units, when a text holds characters beyond the BMP', () => {
    expect(bigramsOfNormalized('ab😀c')).toEqual(['ab', 'b😀', '😀c']);
    expect(bigramsOfNormalized('冰箱冰箱')).toEqual(['冰箱', '箱冰']);
  });

  it('gives each distinct bigram once, in order of first occurrence, short text or long', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: fc.constantFrom(...'冰箱冰柜ab12😀') }), (text) => {
      const chars = [...text];
      const expected = [...new Set(chars.slice(1).map((c, i) => `${chars[i]}${c}`))];
      expect(bigramsOfNormalized(text)).toEqual(expected);
    }));
  });

  it('finds 冰箱 in 海尔冰箱 BCD-470 and a model fragment', () => {
    const grams = bigrams('海尔冰箱 BCD-470');
    for (const q of ['冰箱', '海尔冰', 'bcd', 'D4']) expect(bigrams(q).every((g) => grams.includes(g)), q).toBe(true);
    expect(bigrams('冰柜').every((g) => grams.includes(g))).toBe(false);
  });

  it('contains the bigrams of every substring of two characters or more (any text)', () => {
    fc.assert(fc.property(fc.string({ minLength: 2, maxLength: 40, unit: fc.constantFrom(...'海尔冰箱双开门手机小米华为abcdEF0123 -') }), fc.nat(), fc.nat(), (text, a, b) => {
      const chars = [...normalizeText(text)];
      if (chars.length < 2) return;
      const from = a % (chars.length - 1);
      const to = from + 2 + (b % (chars.length - from - 1));
      const grams = new Set(bigrams(text));
      for (const g of bigrams(chars.slice(from, to).join(''))) expect(grams.has(g)).toBe(true);
    }));
  });
});

describe('stock status', () => {
  it('reads units the way the contract says', () => {
    expect([stockStatus(0), stockStatus(1), stockStatus(10), stockStatus(11), stockStatus(null), stockStatus(50, false)]).toEqual(['out_of_stock', 'low', 'low', 'in_stock', 'in_stock', 'out_of_stock']);
  });

  it('reads the same from the units a mall price row keeps (capped at 11) as from the exact units', () => {
    expect([cappedStock(null), cappedStock(0), cappedStock(10), cappedStock(11), cappedStock(480), cappedStock(-3)]).toEqual([null, 0, 10, STOCK_CAP, STOCK_CAP, 0]);
    fc.assert(fc.property(fc.option(fc.nat({ max: 10_000_000 }), { nil: null }), fc.boolean(), (units, available) => {
      const capped = cappedStock(units);
      expect(stockStatus(capped, available)).toBe(stockStatus(units, available));
      // What intake and the in-stock filter ask: is any unit left?
      expect(capped === null || capped > 0).toBe(units === null || units > 0);
    }));
  });
});
