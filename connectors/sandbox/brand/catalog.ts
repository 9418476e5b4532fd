import type * as Wire from '../../brand/wire.ts';
import { DEFAULT_PROVINCE_CODE, type GoodsSku, goodsSku, indexOfSkuId, isChanged } from '../../../fixtures/catalog/index.ts';
import type { CatalogDrift } from '../common/context.ts';

/** The two brand suppliers fixtures/catalog generates. */
export type BrandSupplierId = 'brand-acme' | 'brand-lumen';

/** Units on hand of one SKU in one province right now (generated stock, less orders and faults). */
export type StockOf = (sku: GoodsSku, provinceCode: string) => number;

/**
 * A brand's catalog served by random access from fixtures/catalog, never held in memory. The
 * catalog moves one revision per `revisionEveryMs` of sandbox time from the sandbox's start (the
 * brand's nightly price and stock update), so `updatedSince` maps a time to a revision range:
 * a SKU's `updatedAt` is the time of the last revision step that touched it, or the start.
 */
export class BrandCatalog {
  readonly supplier: BrandSupplierId;
  readonly #seed: number;
  readonly #size: number;
  readonly #startMs: number;
  readonly #everyMs: number;
  readonly #drift: CatalogDrift | undefined;

  constructor(opts: { supplier: BrandSupplierId; seed: number; size: number; start: Date; revisionEveryMs: number; drift?: CatalogDrift }) {
    this.#drift = opts.drift;
    this.supplier = opts.supplier;
    this.#seed = opts.seed;
    this.#size = opts.size;
    this.#startMs = opts.start.getTime();
    this.#everyMs = opts.revisionEveryMs;
  }

  get size(): number {
    return this.#size;
  }

  /** The catalog revision in effect at a sandbox time. */
  revisionAt(now: Date): number {
    return Math.max(0, Math.floor((now.getTime() - this.#startMs) / this.#everyMs));
  }

  /** The first revision a pull `updatedSince` must report changes of (steps after it), or -1 for everything. */
  fromRevisionFor(updatedSince: Date): number {
    const since = updatedSince.getTime();
    if (since <= this.#startMs) return -1;
    // Step s happened at start + s·every; steps at or after `since` are the ones to report.
    return Math.ceil((since - this.#startMs) / this.#everyMs) - 1;
  }

  /** Whether the index-th SKU changed after `fromRevision` up to `revision` (-1: always). */
  changed(index: number, fromRevision: number, revision: number): boolean {
    if (fromRevision < 0) return true;
    if (fromRevision >= revision) return false;
    return isChanged(this.supplier, index, fromRevision, revision, { seed: this.#seed });
  }

  sku(index: number, revision: number): GoodsSku {
    return goodsSku(this.supplier, index, { seed: this.#seed, size: this.#size, revision, drift: this.#drift?.share ?? 0 });
  }

  /** The SKU with this product id at a revision, or undefined when the brand has no such product. */
  skuById(productId: string, revision: number): GoodsSku | undefined {
    const index = indexOfSkuId(this.supplier, productId, { seed: this.#seed, size: this.#size });
    return index === undefined ? undefined : this.sku(index, revision);
  }

  #updatedAt(index: number, revision: number): string {
    for (let step = revision; step >= 1; step--) {
      if (isChanged(this.supplier, index, step - 1, step, { seed: this.#seed })) return new Date(this.#startMs + step * this.#everyMs).toISOString();
    }
    return new Date(this.#startMs).toISOString();
  }

  /** A SKU in the wire form of `/v1/products` and the feed. */
  product(sku: GoodsSku, stockOf: StockOf): Wire.Product {
    return {
      id: sku.supplierSkuId,
      kind: sku.kind,
      title: sku.title,
      brand: sku.brand,
      model: sku.model,
      gtin: sku.gtin,
      category: { id: sku.categoryId, path: [...sku.categoryPath] },
      images: sku.images,
      attributes: sku.attributes,
      msrp: { amount: sku.marketPriceFen, currency: 'CNY' },
      price: { amount: sku.costFen, currency: 'CNY' },
      status: sku.onShelf ? 'active' : 'inactive',
      stock: { province: DEFAULT_PROVINCE_CODE, quantity: stockOf(sku, DEFAULT_PROVINCE_CODE) },
      weightGrams: sku.kind === 'service' ? null : sku.weightGrams,
      updatedAt: this.#updatedAt(sku.index, sku.revision),
    };
  }
}
