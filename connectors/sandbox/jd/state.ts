import { goodsSku, indexOfSkuId, PROVINCES, stockFor } from '../../../fixtures/catalog/index.ts';
import { REMOTE_PROVINCE_CODES } from '../../../fixtures/catalog/provinces.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
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
  /** True once confirmation split it into child orders (then `parcels` are the children). */
  split: boolean;
  parcels: Parcel[];
  freightFen: number;
  createdAt: string;
}

/** An after-sale service order; `step` follows JD's 10 applied … 60 done (see the connector's mapper). */
export interface AfterSaleRecord {
  jdOrderId: number;
  skuId: string;
  num: number;
  /** 10 return (refund), 20 exchange. */
  customerExpect: number;
  step: number;
  thirdApplyId: string;
  /** When it was applied for (sandbox time, ISO). */
  createdAt: string;
}

/** A message in the pool, kept until biz.message.del removes it. */
export interface PoolMessage {
  id: string;
  type: number;
  /** Beijing time, `yyyy-MM-dd HH:mm:ss`, as JD writes it. */
  time: string;
  result: Record<string, unknown>;
  /** Sandbox time (ms) from which biz.message.get returns it: the pool's "delayed" fault. */
  visibleAtMs: number;
}

// Large appliances do not go to the far west (JD's stockStateId 40, submit answers 3004).
const HEAVY_GRAMS = 20_000;
const provinceNames = new Map(PROVINCES.map((p) => [p.code, [p.name, p.short]]));

/** Everything the JD sandbox remembers; the catalog itself is generated on demand. */
export class JdState {
  readonly orders = new Map<number, JdOrder>();
  readonly byThirdOrder = new Map<string, number>();
  readonly afterSales = new Map<number, AfterSaleRecord>();
  readonly pool: PoolMessage[] = [];
  /** Access tokens and when (wall time, ms: tokens are transport, not supplier business) each expires. */
  readonly tokens = new Map<string, number>();
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

  /** Whether JD delivers the SKU to the province at all (heavy goods skip the far west). */
  deliverable(skuId: string, provinceCode: string): boolean {
    const sku = this.sku(skuId);
    return sku !== undefined && !(REMOTE_PROVINCE_CODES.has(provinceCode) && sku.weightGrams > HEAVY_GRAMS);
  }

  /** Units available in a province after what orders hold; 0 for injected stockouts (by SKU, province code or name). */
  /** Shown in stock, refused when ordered (the soldOutAtOrderSkus fault). */
  soldOutAtOrder(supplierSkuId: string): boolean {
    return this.#faults.isSoldOutAtOrder(supplierSkuId);
  }

  stock(skuId: string, provinceCode: string): number {
    const index = indexOfSkuId('jd', skuId, this.#opts);
    if (index === undefined || this.#faults.isStockout(skuId, provinceCode)) return 0;
    if ((provinceNames.get(provinceCode) ?? []).some((name) => this.#faults.isStockout(skuId, name))) return 0;
    const base = stockFor({ supplier: 'jd', index }, provinceCode, { seed: this.#opts.seed, revision: this.revision });
    return Math.max(0, base - (this.reserved.get(`${skuId}|${provinceCode}`) ?? 0));
  }

  hold(skuId: string, provinceCode: string, units: number): void {
    const key = `${skuId}|${provinceCode}`;
    this.reserved.set(key, (this.reserved.get(key) ?? 0) + units);
  }

  /** Adds a message to the pool, with the callback faults applied (drop, duplicate, reorder, delay). */
  post(type: number, result: Record<string, unknown>, now: Date): void {
    const f = this.#faults.config.callbacks;
    if (this.#faults.dropCallback()) return;
    const copies = this.#faults.duplicateCallback() ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const msg = { id: String(this.#nextMessage++), type, time: formatUtc8Timestamp(now), result, visibleAtMs: now.getTime() + f.delayMs };
      if (f.reorder) this.pool.unshift(msg);
      else this.pool.push(msg);
    }
  }

  /** Up to 100 visible messages of the given types (all types when none are given), oldest in the pool first. */
  messages(types: ReadonlySet<number>, now: Date): Omit<PoolMessage, 'visibleAtMs'>[] {
    const out = [];
    for (const { visibleAtMs, ...m } of this.pool) {
      if (out.length === 100) break;
      if (visibleAtMs <= now.getTime() && (types.size === 0 || types.has(m.type))) out.push(m);
    }
    return out;
  }

  /** Removes messages by id (ids not in the pool are ignored: deleting is idempotent). */
  deleteMessages(ids: ReadonlySet<string>): void {
    for (let i = this.pool.length - 1; i >= 0; i--) if (ids.has(this.pool[i]?.id ?? '')) this.pool.splice(i, 1);
  }
}
