import { goodsSku, indexOfSkuId, stockFor } from '../../../fixtures/catalog/index.ts';
import type { Faults } from '../common/faults.ts';
import type { AreaNode } from './areas.ts';

/** One parcel: the whole order, or one child order after a split; each has its own waybill. */
export interface Parcel {
  jdOrderId: number;
  lines: { skuId: string; num: number }[];
  state: 'waiting' | 'shipped' | 'delivered';
  waybill: string | null;
  track: { msgTime: string; content: string; operateState: string }[];
}

/** An order as the sandbox keeps it. */
export interface JdOrder {
  jdOrderId: number;
  thirdOrder: string;
  lines: { skuId: string; num: number; priceFen: number }[];
  area: AreaNode;
  /** occupied = submitted with submitState=0 (stock held, not confirmed). */
  state: 'occupied' | 'confirmed' | 'cancelled';
  split: boolean;
  parcels: Parcel[];
  freightFen: number;
  createdAt: string;
}

/** A message in the pool, kept until biz.message.del removes it. */
export interface PoolMessage {
  id: string;
  type: number;
  time: string;
  result: Record<string, unknown>;
}

/** Everything the JD sandbox remembers; the catalog itself is generated on demand. */
export class JdState {
  readonly orders = new Map<number, JdOrder>();
  readonly byThirdOrder = new Map<string, number>();
  readonly afterSales = new Map<number, { jdOrderId: number; skuId: string; step: number; thirdApplyId: string }>();
  readonly pool: PoolMessage[] = [];
  readonly tokens = new Set<string>();
  /** Units held by orders, per `skuId|provinceCode`. */
  readonly reserved = new Map<string, number>();
  revision = 0;
  requests = 0;
  #nextOrder = 3_000_000_001;
  #nextMessage = 1;
  readonly #opts: { seed: number; size: number };
  readonly #faults: Faults;

  constructor(opts: { seed: number; size: number }, faults: Faults) {
    this.#opts = opts;
    this.#faults = faults;
  }

  nextOrderId(): number {
    return this.#nextOrder++;
  }

  /** The SKU for a JD sku id at the current revision, or undefined when JD has no such SKU. */
  sku(skuId: string) {
    const index = indexOfSkuId('jd', skuId, this.#opts);
    return index === undefined ? undefined : goodsSku('jd', index, { ...this.#opts, revision: this.revision });
  }

  /** Units available in a province after what orders hold; 0 for injected stockouts. */
  stock(skuId: string, provinceCode: string): number {
    const index = indexOfSkuId('jd', skuId, this.#opts);
    if (index === undefined || this.#faults.isStockout(skuId, provinceCode)) return 0;
    const base = stockFor({ supplier: 'jd', index }, provinceCode, { seed: this.#opts.seed });
    return Math.max(0, base - (this.reserved.get(`${skuId}|${provinceCode}`) ?? 0));
  }

  hold(skuId: string, provinceCode: string, units: number): void {
    const key = `${skuId}|${provinceCode}`;
    this.reserved.set(key, (this.reserved.get(key) ?? 0) + units);
  }

  /** Adds a message to the pool, with the callback faults applied (drop, duplicate, reorder). */
  post(type: number, result: Record<string, unknown>, now: Date): void {
    const f = this.#faults.config.callbacks;
    if (this.#faults.roll(f.dropRate)) return;
    const copies = this.#faults.roll(f.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const msg = { id: String(this.#nextMessage++), type, time: now.toISOString(), result };
      if (f.reorder) this.pool.unshift(msg);
      else this.pool.push(msg);
    }
  }
}
