import { DEFAULT_PROVINCE_CODE, type GoodsSku, goodsSku, indexOfSkuId, isChanged, skuChanges, stockFor } from '../../../fixtures/catalog/index.ts';
import { provinceCodeOf } from '../../shared/region.ts';
import type { WireProduct, WireSku } from '../../taobao/wire.ts';
import { fenToYuan } from '../../shared/yuan.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
import type { Faults } from '../common/faults.ts';
import type { CatalogDrift } from '../common/context.ts';
import type { TaobaoState } from './state.ts';

/** One page of catalog indices and how many match in all. */
export interface IndexPage {
  total: number;
  indices: number[];
}

/**
 * The sandbox's view of the generated catalog: products are built on demand from their index
 * (random access, never the whole catalog), at the current revision, with stock less what orders took.
 *
 * Revision r was published at `revisionTimes[r]`; a product's `modified` is the time of the last
 * revision that touched it (or of an order that took its stock), which is what `start_modified` filters on.
 */
export class SandboxCatalog {
  readonly seed: number;
  readonly size: number;
  readonly #state: TaobaoState;
  readonly #faults: Faults;
  readonly #drift: CatalogDrift | undefined;
  readonly #revisionTimes: Date[];
  readonly #changedCache = new Map<string, number[]>();
  #revision: number;

  constructor(opts: { seed: number; size: number; revision: number; publishedAt: Date; state: TaobaoState; faults: Faults; drift?: CatalogDrift }) {
    this.seed = opts.seed;
    this.#drift = opts.drift;
    this.size = opts.size;
    this.#state = opts.state;
    this.#faults = opts.faults;
    this.#revision = opts.revision;
    this.#revisionTimes = Array.from({ length: opts.revision + 1 }, () => opts.publishedAt);
  }

  get revision(): number {
    return this.#revision;
  }

  /** The catalog index of a Taobao item id, or undefined when it is none of ours. */
  indexOf(itemId: string): number | undefined {
    return indexOfSkuId('taobao', itemId, { seed: this.seed, size: this.size });
  }

  sku(index: number): GoodsSku {
    return goodsSku('taobao', index, { seed: this.seed, size: this.size, revision: this.#revision, drift: this.#drift?.share ?? 0 });
  }

  /** Units on hand in a province: the generated stock less what orders took, or 0 under a stockout fault. */
  available(index: number, provinceCode: string): number {
    const { stockoutSkus, stockoutRegions } = this.#faults.config;
    const sku = this.sku(index);
    if (stockoutSkus.includes(sku.supplierSkuId)) return 0;
    if (stockoutRegions.some((r) => provinceCodeOf(r) === provinceCode)) return 0;
    const base = stockFor({ supplier: 'taobao', index }, provinceCode, { seed: this.seed, revision: this.#revision });
    return Math.max(0, base - this.#state.takenAt(index, provinceCode));
  }

  /** When a product last changed. */
  modifiedOf(index: number): Date {
    let at = this.#revisionTimes[0] as Date;
    for (let step = this.#revision; step >= 1; step--) {
      if (isChanged('taobao', index, step - 1, step, { seed: this.seed })) {
        at = this.#revisionTimes[step] as Date;
        break;
      }
    }
    const touched = this.#state.stockTouched.get(index);
    return touched && touched > at ? touched : at;
  }

  /** Indices on a page, over the whole catalog or only products modified at or after `since`. */
  page(pageNo: number, pageSize: number, since?: Date): IndexPage {
    const from = (pageNo - 1) * pageSize;
    if (!since || since <= (this.#revisionTimes[0] as Date)) {
      const indices: number[] = [];
      for (let i = from; i < Math.min(this.size, from + pageSize); i++) indices.push(i);
      return { total: this.size, indices };
    }
    const all = this.#changedSince(since);
    return { total: all.length, indices: all.slice(from, from + pageSize) };
  }

  #changedSince(since: Date): number[] {
    let firstStep = this.#revisionTimes.findIndex((t, step) => step > 0 && t >= since);
    if (firstStep < 0) firstStep = this.#revision + 1;
    const key = `${firstStep}:${this.#revision}`;
    let byRevision = this.#changedCache.get(key);
    if (!byRevision) {
      byRevision = [];
      for (let i = 0; firstStep <= this.#revision && i < this.size; i++) {
        if (isChanged('taobao', i, firstStep - 1, this.#revision, { seed: this.seed })) byRevision.push(i);
      }
      this.#changedCache.set(key, byRevision);
    }
    const byOrders = [...this.#state.stockTouched].filter(([, at]) => at >= since).map(([i]) => i);
    return [...new Set([...byRevision, ...byOrders])].sort((a, b) => a - b);
  }

  /** Publishes the next revision at `at`; answers which item ids changed in stock/listing and in price. */
  revise(at: Date): { stock: string[]; price: string[] } {
    this.#revision++;
    this.#revisionTimes.push(at);
    this.#changedCache.clear();
    const out = { stock: [] as string[], price: [] as string[] };
    for (let i = 0; i < this.size; i++) {
      const c = skuChanges('taobao', i, this.#revision - 1, this.#revision, { seed: this.seed });
      if (!c.price && !c.stock && !c.shelf) continue;
      const id = this.sku(i).supplierSkuId;
      if (c.stock) this.#state.recount(i);
      if (c.stock || c.shelf) out.stock.push(id);
      if (c.price) out.price.push(id);
    }
    return out;
  }

  /** The product body of taobao.fenxiao.products.get (stock in the default area, 北京). */
  product(index: number): WireProduct {
    const s = this.sku(index);
    const sku = this.skuBody(index, DEFAULT_PROVINCE_CODE);
    return {
      pid: Number(s.supplierSkuId),
      name: s.title,
      outer_id: s.model,
      barcode: s.gtin,
      brand_name: s.brand,
      category_id: Number(s.categoryId),
      category_path: s.categoryPath.join('>'),
      pictures: s.images.join(','),
      properties: Object.entries(s.attributes)
        .map(([k, v]) => `${k}:${v}`)
        .join(';'),
      standard_price: fenToYuan(s.marketPriceFen),
      cost_price: fenToYuan(s.costFen),
      quantity: sku.quantity,
      status: s.onShelf ? 'up' : 'down',
      created: formatUtc8Timestamp(this.#revisionTimes[0] as Date),
      modified: formatUtc8Timestamp(this.modifiedOf(index)),
      skus: { fenxiao_sku: [{ id: sku.id, outer_id: sku.outer_id, quantity: sku.quantity, cost_price: sku.cost_price, standard_price: sku.standard_price }] },
    };
  }

  /** The one SKU of a product with its stock in a province (taobao.fenxiao.product.skus.get). */
  skuBody(index: number, provinceCode: string): WireSku {
    const s = this.sku(index);
    return {
      id: skuIdOf(s.supplierSkuId),
      product_id: Number(s.supplierSkuId),
      outer_id: s.model,
      quantity: this.available(index, provinceCode),
      cost_price: fenToYuan(s.costFen),
      standard_price: fenToYuan(s.marketPriceFen),
      status: s.onShelf ? 'up' : 'down',
    };
  }
}

/** The id of a product's only SKU *(ours)*: the item id with a 1 appended. */
export function skuIdOf(itemId: string): number {
  return Number(itemId) * 10 + 1;
}
