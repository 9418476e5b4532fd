/**
 * The business checks of POST /v1/orders against the synced catalog (routing checks live suppliers
 * after acceptance). Pure: the caller loads the mall's catalog rows; the first failing rule wins,
 * in the contract's order, and names every line it concerns.
 */

/** One order line as the mall sent it. */
export interface IntakeLine {
  lineId: string;
  skuId: string;
  quantity: number;
  pointsPaid: number;
  cashPaidFen: number;
  rechargeAccount?: string | undefined;
}

/** The mall's current catalog row of a SKU (absent: unknown to the hub or not in the mall's selection). */
export interface MallPrice {
  skuId: string;
  kind: 'physical' | 'virtual' | 'service';
  points: number;
  cashFen: number;
  /** Sellable to this mall: some source lists it, on shelf, in its selection. */
  sellable: boolean;
  /** Units in stock over the default listing region (null: the suppliers do not count). */
  stockUnits: number | null;
}

export type IntakeVerdict =
  | { ok: true }
  | { ok: false; code: 'unknown_sku' | 'price_changed' | 'out_of_stock'; lines: { lineId: string; skuId: string; points?: number; cashFen?: number }[] };

/** unknown_sku, then price_changed (paid below the mall's current price × quantity), then out_of_stock. */
export function checkIntake(lines: readonly IntakeLine[], prices: ReadonlyMap<string, MallPrice>): IntakeVerdict {
  const unknown = lines.filter((l) => !prices.has(l.skuId));
  if (unknown.length) return { ok: false, code: 'unknown_sku', lines: unknown.map((l) => ({ lineId: l.lineId, skuId: l.skuId })) };
  const underpaid = lines.filter((l) => {
    const p = prices.get(l.skuId) as MallPrice;
    return l.pointsPaid < p.points * l.quantity || l.cashPaidFen < p.cashFen * l.quantity;
  });
  if (underpaid.length) {
    return {
      ok: false,
      code: 'price_changed',
      lines: underpaid.map((l) => {
        const p = prices.get(l.skuId) as MallPrice;
        return { lineId: l.lineId, skuId: l.skuId, points: p.points * l.quantity, cashFen: p.cashFen * l.quantity };
      }),
    };
  }
  const unavailable = lines.filter((l) => {
    const p = prices.get(l.skuId) as MallPrice;
    return !p.sellable || (p.stockUnits !== null && p.stockUnits < 1);
  });
  if (unavailable.length) return { ok: false, code: 'out_of_stock', lines: unavailable.map((l) => ({ lineId: l.lineId, skuId: l.skuId })) };
  return { ok: true };
}
