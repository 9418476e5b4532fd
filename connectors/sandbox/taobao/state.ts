import type { AfterSaleFate, ParcelTrouble } from '../common/faults.ts';

/** TOP purchase order statuses the sandbox moves through (WAIT_BUYER_PAY never occurs: orders are paid from the deposit). */
export type PoStatus = 'WAIT_SELLER_SEND_GOODS' | 'WAIT_BUYER_CONFIRM_GOODS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';

/** One step of a waybill trace, in TOP's action vocabulary (CONSIGN, TMS_ACCEPT, … TMS_SIGN). */
export interface TraceEntry {
  at: Date;
  action: string;
  desc: string;
}

/** A purchase order as the sandbox keeps it. */
export interface SandboxOrder {
  seq: number;
  fenxiaoId: string;
  distOrderNo: string;
  status: PoStatus;
  created: Date;
  modified: Date;
  provinceCode: string;
  receiver: { name: string; mobile_phone: string; state: string; city: string; district: string; address: string };
  lines: { subId: string; index: number; itemId: string; title: string; num: number; priceFen: number }[];
  postFeeFen: number;
  logistics?: { code: string; name: string; waybill: string; consignTime: Date };
  trace: TraceEntry[];
  closeReason?: string;
  /** What the carrier does to the parcel, decided as it ships (the parcelTrouble fault); never on the wire. */
  trouble?: ParcelTrouble;
}

/** A refund as the sandbox keeps it; `status` is TOP's refund status number. */
export interface SandboxRefund {
  refundId: string;
  distRefundNo: string;
  fenxiaoId: string;
  subOrderId: string;
  itemId: string;
  num: number;
  isReturnGoods: boolean;
  status: number;
  /** What the distributor asked back (fen): the line's price times `num`. */
  feeFen: number;
  /** What one unit cost the distributor (fen). */
  unitFen: number;
  /** What it meets at the seller, decided at the apply (the after-sale faults). */
  fate: AfterSaleFate;
  /** Set when the seller agrees: the units and money it refunds (fen), possibly less than asked. */
  agreedNum?: number;
  agreedFeeFen?: number;
  /** Why the seller refused (status 6). */
  refuseReason?: string;
  desc: string;
  created: Date;
  modified: Date;
}

/**
 * Everything the sandbox holds besides the generated catalog: orders and refunds (each keyed by
 * the distributor's number too, so a repeat finds the first), and stock taken by orders. Only
 * what changed is kept, so the catalog can be 250 000 SKUs without being held in memory.
 */
export class TaobaoState {
  readonly orders = new Map<string, SandboxOrder>();
  readonly orderByNo = new Map<string, string>();
  readonly refunds = new Map<string, SandboxRefund>();
  readonly refundByNo = new Map<string, string>();
  /** Units taken by open orders, keyed `${index}:${provinceCode}`. */
  readonly taken = new Map<string, number>();
  /** When orders last changed a SKU's stock (what start_modified pulls see), by catalog index. */
  readonly stockTouched = new Map<number, Date>();
  // Ids start from the wall-clock second so a restarted sandbox does not reuse ids a hub already stored.
  readonly #idBase: number;
  #seq = 0;

  constructor(startedAt: Date) {
    this.#idBase = Math.floor(startedAt.getTime() / 1000) * 10_000;
  }

  /** A fresh sequence number and the numeric id built from it (purchase orders, refunds, messages). */
  nextId(): { seq: number; id: string } {
    const seq = ++this.#seq;
    return { seq, id: String(this.#idBase + seq) };
  }

  /** Units of a SKU taken in a province by open orders. */
  takenAt(index: number, provinceCode: string): number {
    return this.taken.get(`${index}:${provinceCode}`) ?? 0;
  }

  /** Takes (or with a negative count gives back) units of a SKU in a province. */
  take(index: number, provinceCode: string, units: number, at: Date): void {
    const key = `${index}:${provinceCode}`;
    const left = (this.taken.get(key) ?? 0) + units;
    if (left > 0) this.taken.set(key, left);
    else this.taken.delete(key);
    this.stockTouched.set(index, at);
  }

  /** Forgets units taken from a SKU (its stock was re-counted by a catalog revision). */
  recount(index: number): void {
    for (const key of this.taken.keys()) if (key.startsWith(`${index}:`)) this.taken.delete(key);
  }

  /** How many orders carry a distributor order number (proves a repeat never made a second one). */
  ordersFor(distOrderNo: string): number {
    let n = 0;
    for (const o of this.orders.values()) if (o.distOrderNo === distOrderNo) n++;
    return n;
  }
}
