import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { SupplierKind, SupplierSku } from '../connectors/connector.ts';
import { DEFAULT_PROVINCE_CODE, GOODS_SUPPLIERS, type GoodsSku, type GoodsSupplierId, goodsSkus, stockFor } from '../fixtures/catalog/index.ts';
import { canonicalCategory } from '../src/domain/canonical-category.ts';
import { bigrams, matchKey, normalizeText } from '../src/domain/catalog-keys.ts';
import { pinyinSearchKeys } from '../src/domain/catalog-search.ts';
import { pageJson } from '../src/domain/page-json.ts';
import { withClient } from './bench-db.ts';

/** What the COPY floor measured. */
export interface CopyFigures {
  items: number;
  offers: number;
  prepareSeconds: number;
  itemSeconds: number;
  /** The items' page JSON (catalog_item_page). */
  pageSeconds: number;
  offerSeconds: number;
  seconds: number;
  rowsPerSecond: number;
  /** Offers (one per supplier SKU) per second of the whole COPY: the figure sync SKU/s compares with. */
  skusPerSecond: number;
}

const ITEM_COLUMNS = 'match_key, kind, title, brand, model, gtin, category_id, category_ids, category_path, images, attributes, market_price_fen, best_cost_fen, sellable, stock_units, search_grams, search_text, search_pinyin, search_initials, sku_id';
const OFFER_COLUMNS = 'item_id, supplier_id, supplier_account_id, supplier_sku_id, title, cost_fen, market_price_fen, stock, on_shelf, supplier_category_id, supplier_category_path, last_sync_run_id';

// COPY text format: tab-separated, \N for null, backslash escapes; arrays as quoted literals.
const ESC: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const text = (v: string | number | boolean | null): string => (v === null ? '\\N' : String(v).replace(/[\\\t\n\r]/g, (c) => ESC[c] ?? c));
const array = (xs: readonly string[]): string => text(`{${xs.map((x) => `"${x.replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
const line = (fields: string[]): string => `${fields.join('\t')}\n`;

/** A sku id of the hub's form ('sku_' and 32 hex digits), given by the baseline so its page JSON can hold it. */
const newSkuId = (): string => `sku_${randomUUID().replaceAll('-', '')}`;

const kindOf = (s: GoodsSupplierId): SupplierKind => (s === 'jd' || s === 'taobao' ? s : 'brand');

/** A generated SKU as the connectors hand it to the hub (their mappers keep these fields as they are). */
function neutral(g: GoodsSku, seed: number): SupplierSku {
  return {
    supplierSkuId: g.supplierSkuId, title: g.title, brand: g.brand, model: g.model, gtin: g.gtin, kind: g.kind, categoryPath: g.categoryPath,
    supplierCategoryId: g.categoryId, images: g.images, attributes: g.attributes, marketPriceFen: g.marketPriceFen, costFen: g.costFen,
    onShelf: g.onShelf, stock: stockFor({ supplier: g.supplier, index: g.index }, DEFAULT_PROVINCE_CODE, { seed }), virtual: null, updatedAt: null,
  };
}

function* listings(perSupplier: number, seed: number) {
  for (const supplier of GOODS_SUPPLIERS) {
    for (const g of goodsSkus(supplier, { seed, size: perSupplier })) {
      const s = neutral(g, seed);
      yield { supplier, s, key: matchKey({ supplierId: supplier, ...s }) };
    }
  }
}

/**
 * Writes the COPY input files: items (one per match key, first source's fields, best cost and
 * stock over its live offers, as the sync leaves them) and offers. Two passes over the generator
 * keep memory to one small record per item instead of every row.
 */
async function prepare(dir: string, perSupplier: number, seed: number): Promise<{ items: number; offers: number }> {
  const agg = new Map<string, { id: number; best: number | null; units: number | null; written: boolean }>();
  for (const { s, key } of listings(perSupplier, seed)) {
    let a = agg.get(key);
    if (!a) agg.set(key, (a = { id: agg.size + 1, best: null, units: null, written: false }));
    if (s.onShelf && (s.stock ?? 1) > 0) a.best = Math.min(a.best ?? Infinity, s.costFen);
    if (s.onShelf && s.stock !== null) a.units = (a.units ?? 0) + s.stock;
  }
  const items = await open(join(dir, 'items.tsv'), 'w');
  const offers = await open(join(dir, 'offers.tsv'), 'w');
  const pages = await open(join(dir, 'pages.tsv'), 'w');
  let itemBuf: string[] = [];
  let pageBuf: string[] = [];
  let offerBuf: string[] = [];
  let offerCount = 0;
  const flush = async () => {
    await items.write(itemBuf.join(''));
    await pages.write(pageBuf.join(''));
    await offers.write(offerBuf.join(''));
    itemBuf = [];
    pageBuf = [];
    offerBuf = [];
  };
  for (const { supplier, s, key } of listings(perSupplier, seed)) {
    const a = agg.get(key);
    if (!a) throw new Error(`match key ${key} missing in the second pass`);
    if (!a.written) {
      a.written = true;
      const searchable = `${s.title} ${s.brand ?? ''} ${s.model ?? ''}`;
      const c = canonicalCategory(kindOf(supplier), s);
      // The pinyin keys the sync writes too (catalog-store.ts), so the baseline does the same work.
      const keys = pinyinSearchKeys(s.title, s.brand);
      const skuId = newSkuId();
      itemBuf.push(line([
        text(key), text(s.kind), text(s.title), text(s.brand), text(s.model), text(s.gtin), text(c?.id ?? null), array(c?.ids ?? []),
        array(c?.path ?? s.categoryPath), array(s.images), text(JSON.stringify(s.attributes)), text(s.marketPriceFen), text(a.best),
        text(a.best !== null), text(a.units), array(bigrams(searchable)), text(normalizeText(searchable)), text(keys.pinyin), text(keys.initials),
        text(skuId),
      ]));
      // The item's page JSON, which the sync writes with each item too.
      pageBuf.push(line([
        text(a.id),
        text(`"skuId":${JSON.stringify(skuId)},${pageJson({ title: s.title, brand: s.brand, kind: s.kind, categoryPath: c?.path ?? s.categoryPath, images: s.images, marketPriceFen: s.marketPriceFen, attributes: s.attributes })}`),
      ]));
    }
    offerBuf.push(line([
      text(a.id), text(supplier), text(supplier), text(s.supplierSkuId), text(s.title), text(s.costFen), text(s.marketPriceFen), text(s.stock),
      text(s.onShelf), text(s.supplierCategoryId), array(s.categoryPath), text(GOODS_SUPPLIERS.indexOf(supplier) + 1),
    ]));
    if (++offerCount % 5_000 === 0) await flush();
  }
  await flush();
  await Promise.all([items.close(), offers.close(), pages.close()]);
  return { items: agg.size, offers: offerCount };
}

/**
 * The floor of the catalog sync: the same SKUs, generated in-process with the hub's own match keys,
 * categories and search grams, loaded by plain COPY into copies of catalog_item and catalog_offer
 * with the same columns and every index (GIN included). The copies are dropped afterwards.
 */
export async function copyBaseline(perSupplier: number, seed = 1): Promise<CopyFigures> {
  const dir = join(tmpdir(), `bench-copy-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    let t0 = performance.now();
    const counts = await prepare(dir, perSupplier, seed);
    const prepareSeconds = (performance.now() - t0) / 1000;
    return await withClient(async (c) => {
      await c.query('drop table if exists copy_offer, copy_item_page, copy_item');
      await c.query('create table copy_item (like catalog_item including all)');
      await c.query('create table copy_item_page (like catalog_item_page including all)');
      await c.query('create table copy_offer (like catalog_offer including all)');
      try {
        await c.query('checkpoint');
        t0 = performance.now();
        await pipeline(createReadStream(join(dir, 'items.tsv')), c.query(copyFrom(`copy copy_item (${ITEM_COLUMNS}) from stdin`)));
        const itemSeconds = (performance.now() - t0) / 1000;
        t0 = performance.now();
        await pipeline(createReadStream(join(dir, 'pages.tsv')), c.query(copyFrom('copy copy_item_page (item_id, json) from stdin')));
        const pageSeconds = (performance.now() - t0) / 1000;
        t0 = performance.now();
        await pipeline(createReadStream(join(dir, 'offers.tsv')), c.query(copyFrom(`copy copy_offer (${OFFER_COLUMNS}) from stdin`)));
        const offerSeconds = (performance.now() - t0) / 1000;
        const loaded = (await c.query<{ n: string }>('select count(*) as n from copy_item')).rows[0]?.n;
        if (Number(loaded) !== counts.items) throw new Error(`COPY loaded ${loaded} items, expected ${counts.items}`);
        const seconds = itemSeconds + pageSeconds + offerSeconds;
        return {
          ...counts, prepareSeconds: round(prepareSeconds), itemSeconds: round(itemSeconds), pageSeconds: round(pageSeconds), offerSeconds: round(offerSeconds), seconds: round(seconds),
          rowsPerSecond: Math.round((counts.items + counts.offers) / seconds), skusPerSecond: Math.round(counts.offers / seconds),
        };
      } finally {
        await c.query('drop table if exists copy_offer, copy_item_page, copy_item');
        await c.query('checkpoint');
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (n: number) => Number(n.toFixed(1));
