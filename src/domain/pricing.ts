/**
 * Points pricing of one item for one mall. Integer arithmetic only (fen, points, basis points):
 * every division rounds up explicitly, so a price is never below what it must cover.
 *
 *   price value (fen) = cost × (1 + markup)                       markup rule
 *   points            = ⌈value × pointsPerYuan / 100⌉ ↑ step      rounded up to the step
 *   if points ≥ floorFromPoints: points ≥ cost / floorMaxCost      cost never above 70 % of the value
 *   with a cash share: cashFen takes that share of the value, points cover the rest
 */

/** A mall's pricing rule; defaults are the contract's. */
export interface PricingRule {
  /** Points per yuan (100 fen). */
  pointsPerYuan: number;
  /** Markup over the best cost, in basis points (1 500 = 15 %). */
  markupBp: number;
  /** Points are rounded up to a multiple of this. */
  step: number;
  /** From this many points up, the cost may be at most `floorMaxCostBp` of the points' value. */
  floorFromPoints: number;
  floorMaxCostBp: number;
  /** Share of the price paid in cash, in basis points (0 = points only). */
  cashShareBp: number;
}

export const defaultPricingRule = (pointsPerYuan = 100): PricingRule => ({
  pointsPerYuan,
  markupBp: 1_500,
  step: 10,
  floorFromPoints: 2_000,
  floorMaxCostBp: 7_000,
  cashShareBp: 0,
});

/**
 * A mall's pricing rule: the contract's default at its points rate, with its stored overrides
 * (`pricing`, a partial rule as the mall row keeps it). Typed by shape, so the mall entity and a
 * raw mall row both fit.
 */
export function ruleOf(mall: { pointsPerYuan: number; pricing: unknown }): PricingRule {
  const o = mall.pricing as Partial<PricingRule>;
  return { ...defaultPricingRule(mall.pointsPerYuan), ...o, pointsPerYuan: mall.pointsPerYuan };
}

/** What a member pays for one unit. */
export interface Price {
  points: number;
  cashFen: number;
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;
const roundUpTo = (n: bigint, step: bigint): bigint => ceilDiv(n, step) * step;

/** Points needed to be worth at least `fen`, rounded up to the step. */
function pointsFor(fen: bigint, rule: PricingRule): bigint {
  return roundUpTo(ceilDiv(fen * BigInt(rule.pointsPerYuan), 100n), BigInt(rule.step));
}

/** Prices one unit whose best cost is `costFen`; throws on non-integer or out-of-range input. */
export function priceItem(costFen: number, rule: PricingRule): Price {
  for (const [k, v] of Object.entries({ costFen, ...rule })) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${k} must be a non-negative integer`);
  }
  if (rule.pointsPerYuan < 1 || rule.step < 1 || rule.floorMaxCostBp < 1 || rule.floorMaxCostBp > 10_000 || rule.cashShareBp > 10_000) {
    throw new RangeError('pricing rule out of range');
  }
  const cost = BigInt(costFen);
  // Value in fen the member pays, before the split into points and cash.
  let value = ceilDiv(cost * BigInt(10_000 + rule.markupBp), 10_000n);
  const fullPoints = pointsFor(value, rule);
  if (fullPoints >= BigInt(rule.floorFromPoints)) {
    // cost ≤ maxCost × value  ⇔  value ≥ cost / maxCost
    const floorValue = ceilDiv(cost * 10_000n, BigInt(rule.floorMaxCostBp));
    if (floorValue > value) value = floorValue;
  }
  const cashFen = (value * BigInt(rule.cashShareBp)) / 10_000n;
  const points = pointsFor(value - cashFen, rule);
  return { points: Number(points), cashFen: Number(cashFen) };
}

/** What a price is worth in fen at the mall's rate (points value rounded down, plus cash). */
export function priceValueFen(price: Price, pointsPerYuan: number): number {
  return Math.floor((price.points * 100) / pointsPerYuan) + price.cashFen;
}
