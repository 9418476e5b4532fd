import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RefundExceedsPaid, refundUnits } from '../../src/orders/refunds.ts';
import { recordFailed } from '../../workflows/lines/failed.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { seedMall, seedOrder } from '../support/seed-orders.ts';

/**
 * Refunds are per unit and told once (issue 19). Every refund after fulfilment goes through
 * `refundUnits` (a ticket settled by the hub or staff, a reship or reissue that failed and fell back
 * to a refund, staff's refund action), keyed by what it settles; units that never came are refunded
 * by the line's failure (`recordFailed`). Under any sequence of those, retried and raced:
 * - the ledger never refunds more units, points or cash than the line was paid;
 * - the mall is told each refunded unit exactly once: the `refund.required` events add up to the
 *   ledger's refund rows, unit for unit, point for point and fen for fen;
 * - once every unit is refunded, the refunds add up to exactly what was paid (no fen lost to rounding).
 */

let hub: TestHub;
let mallId: string;
const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);

beforeAll(async () => {
  hub = await startTestHub();
  mallId = await seedMall(hub);
});
afterAll(() => hub?.close());

type Op =
  | { kind: 'ticket'; ticket: number; units: number } // a ticket refunded (hub, staff or a failed reship's fallback)
  | { kind: 'staff'; request: number; units: number } // staff's refund action on the order
  | { kind: 'reship' } // units sent again: no money moves
  | { kind: 'fail' } // the units never fulfilled fail (a reissue or delivery that failed for good)
  | { kind: 'race'; ticket: number; units: number }; // the same ticket settled twice at once (a retry racing the first)

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('ticket' as const), ticket: fc.integer({ min: 0, max: 3 }), units: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('staff' as const), request: fc.integer({ min: 0, max: 3 }), units: fc.integer({ min: 1, max: 4 }) }),
  fc.constant({ kind: 'reship' as const }),
  fc.constant({ kind: 'fail' as const }),
  fc.record({ kind: fc.constant('race' as const), ticket: fc.integer({ min: 0, max: 3 }), units: fc.integer({ min: 1, max: 4 }) }),
);

const line = fc.record({
  quantity: fc.integer({ min: 1, max: 5 }),
  fulfilled: fc.integer({ min: 0, max: 5 }),
  points: fc.integer({ min: 0, max: 100_000 }),
  cashFen: fc.integer({ min: 0, max: 99_999 }),
});

describe('per-unit refunds (fast-check, against PostgreSQL)', () => {
  it('never exceed what was paid, and tell the mall each unit once', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(line, fc.array(op, { minLength: 1, maxLength: 8 }), async (l, ops) => {
        const fulfilled = Math.min(l.fulfilled, l.quantity);
        const o = await seedOrder(hub, mallId, { lines: 1, kind: 'physical' });
        const lineId = o.lineIds[0] as string;
        const tag = `${++runs}`;
        await sql('update order_line set quantity = ?, qty_fulfilled = ?, points_paid = ?, cash_paid_fen = ?, status = ? where id = ?', [l.quantity, fulfilled, l.points, l.cashFen, fulfilled === l.quantity ? 'delivered' : 'shipped', lineId]);
        const refund = (ref: string, units: number) =>
          hub.deps.orm.em.fork().transactional((tx) => refundUnits(tx, hub.clock, lineId, { units, reason: 'property', ref: `${tag}:${ref}` })).catch((err: unknown) => {
            if (!(err instanceof RefundExceedsPaid)) throw err;
          });
        for (const step of ops) {
          if (step.kind === 'ticket') await refund(`ticket:${step.ticket}`, step.units);
          else if (step.kind === 'staff') await refund(`staff:${step.request}`, step.units);
          else if (step.kind === 'race') await Promise.all([refund(`ticket:${step.ticket}`, step.units), refund(`ticket:${step.ticket}`, step.units)]);
          else if (step.kind === 'fail') await hub.deps.orm.em.fork().transactional((tx) => recordFailed(tx, hub.clock, lineId, 'property: failed for good'));
        }
        const [ledger] = await sql<{ units: number; points: number; fen: number }[]>(
          "select coalesce(sum(units), 0)::int units, coalesce(sum(-points), 0)::int points, coalesce(sum(-fen), 0)::int fen from ledger_entry where line_id = ? and entry = 'refund'",
          [lineId],
        );
        const [told] = await sql<{ units: number; points: number; fen: number }[]>(
          "select coalesce(sum((data->>'units')::int), 0)::int units, coalesce(sum((data->>'points')::int), 0)::int points, coalesce(sum((data->>'cashFen')::int), 0)::int fen from mall_event where order_id = ? and type = 'refund.required'",
          [o.orderId],
        );
        expect(ledger?.units).toBeLessThanOrEqual(l.quantity);
        expect(ledger?.points).toBeLessThanOrEqual(l.points);
        expect(ledger?.fen).toBeLessThanOrEqual(l.cashFen);
        expect(told).toEqual(ledger);
        if (ledger?.units === l.quantity) expect({ points: ledger.points, fen: ledger.fen }).toEqual({ points: l.points, fen: l.cashFen });
      }),
      { numRuns: 40, seed: Number(process.env.FUZZ_SEED ?? 19) },
    );
  }, 60_000);
});
