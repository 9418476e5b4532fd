import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPricingRule, type PricingRule, priceItem, ruleOf } from '../../src/domain/pricing.ts';

const rules = fc.record<PricingRule>({
  pointsPerYuan: fc.integer({ min: 1, max: 10_000 }),
  markupBp: fc.integer({ min: 0, max: 20_000 }),
  step: fc.constantFrom(1, 5, 10, 50, 100),
  floorFromPoints: fc.integer({ min: 0, max: 100_000 }),
  floorMaxCostBp: fc.integer({ min: 1_000, max: 10_000 }),
  cashShareBp: fc.integer({ min: 0, max: 9_000 }),
});
const costs = fc.integer({ min: 0, max: 5_000_000 }); // up to 50 000 yuan

describe('default pricing rule (contract)', () => {
  it('prices 15 % over cost at 100 points per yuan, rounded up to 10 points', () => {
    // 10.00 yuan × 1.15 = 1 150 points; 10.01 yuan → 1 151.15 → 1 160; 99.00 yuan → 11 385 ≥ 2 000, so the 70 % floor gives 14 143 → 14 150.
    expect(priceItem(1_000, defaultPricingRule())).toEqual({ points: 1_150, cashFen: 0 });
    expect(priceItem(1_001, defaultPricingRule())).toEqual({ points: 1_160, cashFen: 0 });
    expect(priceItem(9_900, defaultPricingRule())).toEqual({ points: 14_150, cashFen: 0 });
  });

  it('keeps cost at most 70 % of the value from 2 000 points up', () => {
    // 17.40 yuan × 1.15 = 20.01 yuan → 2 010 points ≥ 2 000: floor is 17.40 / 0.7 = 24.86 yuan → 2 490 points.
    expect(priceItem(1_740, defaultPricingRule()).points).toBe(2_490);
    // Below the threshold the markup rule alone applies.
    expect(priceItem(1_730, defaultPricingRule()).points).toBe(1_990);
  });

  it('honours the mall rate', () => {
    expect(priceItem(1_000, defaultPricingRule(50)).points).toBe(580);
  });

  it('splits a cash share into fen', () => {
    expect(priceItem(10_000, { ...defaultPricingRule(), cashShareBp: 3_000, floorFromPoints: 1_000_000 })).toEqual({ points: 8_050, cashFen: 3_450 });
  });

  it('refuses floats and negatives', () => {
    expect(() => priceItem(10.5, defaultPricingRule())).toThrow(RangeError);
    expect(() => priceItem(-1, defaultPricingRule())).toThrow(RangeError);
    expect(() => priceItem(100, { ...defaultPricingRule(), markupBp: 0.5 })).toThrow(RangeError);
  });

  it('takes a mall’s rule as the default at its rate with its stored overrides, the rate always its own', () => {
    expect(ruleOf({ pointsPerYuan: 50, pricing: {} })).toEqual(defaultPricingRule(50));
    expect(ruleOf({ pointsPerYuan: 200, pricing: { markupBp: 1_000, pointsPerYuan: 7 } })).toEqual({ ...defaultPricingRule(200), markupBp: 1_000 });
  });
});

describe('pricing properties (all generated rules and costs)', () => {
  it('never prices below cost', () => {
    fc.assert(fc.property(costs, rules, (cost, rule) => {
      const p = priceItem(cost, rule);
      // points × 100 / ppy + cash ≥ cost, compared exactly in integers.
      expect(BigInt(p.points) * 100n + BigInt(p.cashFen) * BigInt(rule.pointsPerYuan)).toBeGreaterThanOrEqual(BigInt(cost) * BigInt(rule.pointsPerYuan));
    }), { numRuns: 2_000 });
  });

  it('is monotone in cost', () => {
    fc.assert(fc.property(costs, fc.integer({ min: 0, max: 100_000 }), rules, (cost, more, rule) => {
      const a = priceItem(cost, rule);
      const b = priceItem(cost + more, rule);
      expect(BigInt(b.points) * 100n + BigInt(b.cashFen) * BigInt(rule.pointsPerYuan)).toBeGreaterThanOrEqual(BigInt(a.points) * 100n + BigInt(a.cashFen) * BigInt(rule.pointsPerYuan));
    }), { numRuns: 2_000 });
  });

  it('rounds stably: integer, a multiple of the step, and the same every time', () => {
    fc.assert(fc.property(costs, rules, (cost, rule) => {
      const p = priceItem(cost, rule);
      expect(Number.isSafeInteger(p.points) && Number.isSafeInteger(p.cashFen)).toBe(true);
      expect(p.points % rule.step).toBe(0);
      expect(priceItem(cost, rule)).toEqual(p);
    }), { numRuns: 2_000 });
  });

  it('keeps cost within the floor share of the value once the price reaches the threshold', () => {
    fc.assert(fc.property(costs, rules, (cost, rule) => {
      const p = priceItem(cost, { ...rule, cashShareBp: 0 });
      if (p.points >= rule.floorFromPoints) {
        // cost ≤ maxCost × points × 100 / ppy
        expect(BigInt(cost) * BigInt(rule.pointsPerYuan) * 10_000n).toBeLessThanOrEqual(BigInt(rule.floorMaxCostBp) * BigInt(p.points) * 100n);
      }
    }), { numRuns: 2_000 });
  });
});
