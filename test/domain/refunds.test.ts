import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refundFor } from '../../src/domain/refunds.ts';

describe('refunds of undelivered units', () => {
  it('gives back everything for a line that failed whole', () => {
    expect(refundFor({ points: 12_345, cashFen: 678 }, 3, 0, 3)).toEqual({ points: 12_345, cashFen: 678 });
  });

  it('adds up to exactly what was paid however the units are refunded, in integers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 1, max: 5 })), (points, cashFen, quantity, chunks) => {
        let done = 0;
        const total = { points: 0, cashFen: 0 };
        for (const c of [...chunks, quantity]) {
          const units = Math.min(c, quantity - done);
          const r = refundFor({ points, cashFen }, quantity, done, units);
          expect(Number.isInteger(r.points) && r.points >= 0 && Number.isInteger(r.cashFen) && r.cashFen >= 0).toBe(true);
          total.points += r.points;
          total.cashFen += r.cashFen;
          done += units;
        }
        expect(total).toEqual({ points, cashFen });
      }),
    );
  });

  it('refuses more units than the line has', () => {
    expect(() => refundFor({ points: 1, cashFen: 0 }, 2, 1, 2)).toThrow(RangeError);
  });
});
