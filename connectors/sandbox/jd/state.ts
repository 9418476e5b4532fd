import { goodsSku, indexOfSkuId, PROVINCES, stockFor } from '../../../fixtures/catalog/index.ts';
import { REMOTE_PROVINCE_CODES } from '../../../fixtures/catalog/provinces.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
import { JD_MESSAGE } from '../../jd/methods.ts';
import type { AfterSaleFate, Faults, ParcelTrouble } from '../common/faults.ts';
import type { AreaNode } from './areas.ts';

/** One parcel: the whole order, or one child order after a split; each has its own waybill. */
export interface Parcel {
  jdOrderId: number;
  lines: { skuId: string; num: number }[];
  state: 'waiting' | 'shipped' | 'delivered';
  waybill: string | null;
  track: { msgTime: string; content: string; operateState: string }[];
  /** What the carrier does to it, decided as it ships (the parcelTrouble fault); never on the wire. */
  trouble: ParcelTrouble;
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

/**
 * An after-sale service order; `step` follows the sandbox's numbering (ours, see the connector's
 * mapper): 10 applied, 20 approved, 30 refused, 40 goods received, 50 refunded, 60 done.
 */
export interface AfterSaleRecord {
  jdOrderId: number;
  skuId: string;
  num: number;
  /** 10 return (refund), 20 exchange. */
  customerExpect: number;
  /** How the goods come back: 4 JD picks them up, 40 the customer sends them (JD VOP's pickwareType). */
  pickwareType: number;
  step: number;
  thirdApplyId: string;
  /** What the unit cost the hub (fen): a refund is worked out from it. */
  unitFen: number;
  /** What it meets at JD, decided at the apply (the after-sale faults). */
  fate: AfterSaleFate;
  /** Set at review: units JD accepted and the money it refunds (fen; none for an exchange). */
  approvedNum?: number;
  refundFen?: number;
  /** JD's review note: the reason, when it refused. */
  approveNotes?: string;
  /** An exchange's replacement parcel, once shipped. */
  exchangeWaybill?: { carrier: string; deliveryOrderId: string };
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
  readonly #opts: { seed: number; size: number; drift?: number };
  readonly #faults: Faults;

  constructor(opts: { seed: number; size: number; drift?: number }, faults: Faults) {
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

  /** Puts an after-sale step in the pool (type 31), unless the lostAfterSaleCallbacks fault keeps it out. */
  postAfterSale(result: { afsServiceId: number; orderId: number; step: number }, now: Date): void {
    if (this.#faults.loseAfterSaleCallback()) return;
    this.post(JD_MESSAGE.AFTER_SALE, result, now);
  }

  /** What an after-sale applied for now meets (the after-sale faults in force). */
  afterSaleFate(): AfterSaleFate {
    return this.#faults.afterSaleFate();
  }

  /** Counts an after-sale fault when its effect shows. */
  afterSaleFaultShown(fault: Parameters<Faults['afterSaleFaultShown']>[0]): void {
    this.#faults.afterSaleFaultShown(fault);
  }

  /** What the carrier will do to a parcel shipping now (the parcelTrouble fault in force). */
  parcelFate(): ParcelTrouble {
    return this.#faults.parcelFate();
  }

  /** Counts a parcel in trouble when its delivery was due. */
  parcelTroubleShown(): void {
    this.#faults.parcelTroubleShown();
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
