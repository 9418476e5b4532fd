import type * as Wire from '../../brand/wire.ts';
import { DEFAULT_PROVINCE_CODE, type GoodsSku, PROVINCES, stockFor } from '../../../fixtures/catalog/index.ts';
import type { Faults, ParcelTrouble } from '../common/faults.ts';

/** Idempotency keys are kept this long (sandbox time), as suppliers.md says. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/** A stored first answer to an Idempotency-Key. */
export interface KeptAnswer {
  fingerprint: string;
  status: number;
  body: string;
  atMs: number;
}

/** An order and the stock it holds, so a cancel gives the stock back. */
export interface OrderRecord {
  order: Wire.Order;
  held: { key: string; units: number }[];
  /** What the carrier does to its parcel, decided as it ships (the parcelTrouble fault); never on the wire. */
  trouble?: ParcelTrouble;
}

const namesOf = new Map(PROVINCES.map((p) => [p.code, [p.code, p.name, p.short]]));

/**
 * Everything a brand sandbox remembers. Only what changed is held: orders, returns, stock held by
 * orders and kept idempotent answers; the catalog itself is generated on demand.
 */
export class BrandState {
  readonly orders = new Map<string, OrderRecord>();
  readonly orderByReference = new Map<string, string>();
  readonly returns = new Map<string, Wire.Return>();
  readonly returnByReference = new Map<string, string>();
  readonly #held = new Map<string, number>();
  readonly #answers = new Map<string, KeptAnswer>();
  readonly #seed: number;
  readonly #faults: Faults;

  constructor(opts: { seed: number; faults: Faults }) {
    this.#seed = opts.seed;
    this.#faults = opts.faults;
  }

  /** Services are e-vouchers redeemable anywhere: their stock is one national pool. */
  static stockKey(sku: GoodsSku, provinceCode: string): string {
    return `${sku.supplierSkuId}|${sku.kind === 'service' ? '*' : provinceCode}`;
  }

  /** Units on hand now: generated stock at the SKU's revision, less what orders hold, zero under a stockout fault. */
  /** Shown in stock, refused when ordered (the soldOutAtOrderSkus fault). */
  soldOutAtOrder(supplierSkuId: string): boolean {
    return this.#faults.isSoldOutAtOrder(supplierSkuId);
  }

  stockOf = (sku: GoodsSku, provinceCode: string): number => {
    // A region fault may name the province by code, full name or short name.
    const regionOut = sku.kind !== 'service' && (namesOf.get(provinceCode) ?? [provinceCode]).some((n) => this.#faults.config.stockoutRegions.includes(n));
    if (this.#faults.isStockout(sku.supplierSkuId) || regionOut) return 0;
    const national = sku.kind === 'service' ? DEFAULT_PROVINCE_CODE : provinceCode;
    const generated = stockFor({ supplier: sku.supplier, index: sku.index }, national, { seed: this.#seed, revision: sku.revision });
    return Math.max(0, generated - (this.#held.get(BrandState.stockKey(sku, provinceCode)) ?? 0));
  };

  hold(key: string, units: number): void {
    this.#held.set(key, (this.#held.get(key) ?? 0) + units);
  }

  release(held: OrderRecord['held']): void {
    for (const h of held) this.#held.set(h.key, Math.max(0, (this.#held.get(h.key) ?? 0) - h.units));
  }

  /** The kept answer for a key, unless it is older than 24 h of sandbox time. */
  answerFor(key: string, nowMs: number): KeptAnswer | undefined {
    const kept = this.#answers.get(key);
    if (kept && nowMs - kept.atMs > IDEMPOTENCY_TTL_MS) {
      this.#answers.delete(key);
      return undefined;
    }
    return kept;
  }

  keepAnswer(key: string, answer: KeptAnswer): void {
    this.#answers.set(key, answer);
    // Sweep now and then so a long-running sandbox does not keep every key it ever saw.
    if (this.#answers.size % 1_000 === 0) {
      for (const [k, v] of this.#answers) if (answer.atMs - v.atMs > IDEMPOTENCY_TTL_MS) this.#answers.delete(k);
    }
  }
}
