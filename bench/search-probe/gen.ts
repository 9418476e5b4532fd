// Search probe, step 1: generate the bench catalog's items (1 000 000 offers over the four goods
// suppliers, deduplicated by the hub's match key as bench/copy-baseline.ts does) and write
//   /tmp/search-probe/items.tsv  : id, title, search_text, search_grams, points, kind, category_id, stock_units, sellable
// Points: one mall at 1 point per fen of best cost x 1.1 (the shape of mall pricing, not its exact rule).
// Run: node bench/search-probe/gen.ts [perSupplier=250000]
import { mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import type { SupplierKind } from '../../connectors/connector.ts';
import { DEFAULT_PROVINCE_CODE, GOODS_SUPPLIERS, type GoodsSupplierId, goodsSkus, stockFor } from '../../fixtures/catalog/index.ts';
import { canonicalCategory } from '../../src/domain/canonical-category.ts';
import { bigrams, matchKey, normalizeText } from '../../src/domain/catalog-keys.ts';

const per = Number(process.argv[2] ?? 250_000);
const seed = 1;
const kindOf = (s: GoodsSupplierId): SupplierKind => (s === 'jd' || s === 'taobao' ? s : 'brand');
const esc = (v: string) => v.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c);
const arr = (xs: string[]) => esc(`{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`);

type Agg = { id: number; best: number | null; units: number | null; row: string[] };
const agg = new Map<string, Agg>();
const t0 = performance.now();
for (const supplier of GOODS_SUPPLIERS) {
  for (const g of goodsSkus(supplier, { seed, size: per })) {
    const stock = stockFor({ supplier: g.supplier, index: g.index }, DEFAULT_PROVINCE_CODE, { seed });
    const key = matchKey({ supplierId: supplier, ...g, stock } as never);
    let a = agg.get(key);
    if (!a) {
      const searchable = `${g.title} ${g.brand ?? ''} ${g.model ?? ''}`;
      const c = canonicalCategory(kindOf(supplier), { ...g, supplierCategoryId: g.categoryId } as never);
      a = { id: agg.size + 1, best: null, units: null, row: [esc(g.title), esc(normalizeText(searchable)), arr(bigrams(searchable)), g.kind, c?.id ?? '\\N'] };
      agg.set(key, a);
    }
    if (g.onShelf && (stock ?? 1) > 0) a.best = Math.min(a.best ?? Infinity, g.costFen);
    if (g.onShelf && stock !== null) a.units = (a.units ?? 0) + stock;
  }
}
mkdirSync('/tmp/search-probe', { recursive: true });
const fd = openSync('/tmp/search-probe/items.tsv', 'w');
let buf: string[] = [];
for (const a of agg.values()) {
  const [title, text, grams, kind, cat] = a.row;
  const points = a.best === null ? 0 : Math.ceil(a.best * 1.1);
  buf.push(`${a.id}\t${title}\t${text}\t${grams}\t${points}\t${kind}\t${cat}\t${a.units ?? '\\N'}\t${a.best !== null}\n`);
  if (buf.length >= 5000) { writeSync(fd, buf.join('')); buf = []; }
}
writeSync(fd, buf.join(''));
closeSync(fd);
console.log(`items ${agg.size} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
