import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canMoveLine, LINE_STATUSES, LINE_TRANSITIONS, type LineStatus, TERMINAL_LINE_STATUSES } from '../../src/domain/order-status.ts';

// How far along its life a status is: a line only ever moves to a status at least as far.
const RANK: Record<LineStatus, number> = {
  pending: 0, submitted: 1, accepted: 2, issuing: 2, shipped: 3, delivered: 4, issued: 4, cancelled: 4, failed: 4, returned: 5, refunded: 6,
};
// What after-sales may still do to a line fulfilment has finished.
const AFTER_SALES: ReadonlySet<LineStatus> = new Set(['returned', 'refunded']);

const status = fc.constantFrom(...LINE_STATUSES);
/** A line fed a sequence of moves, as events and steps would ask for them: each applied only if allowed. */
const walk = (moves: LineStatus[]) => moves.reduce<LineStatus[]>((path, to) => [...path, canMoveLine(path.at(-1) as LineStatus, to) ? to : (path.at(-1) as LineStatus)], ['pending']);

describe('the line state machine', () => {
  it('names every status, and only statuses, in its table', () => {
    expect(Object.keys(LINE_TRANSITIONS).sort()).toEqual([...LINE_STATUSES].sort());
    for (const to of Object.values(LINE_TRANSITIONS).flat()) expect(LINE_STATUSES).toContain(to);
  });

  it('never moves a line backwards, whatever sequence of moves is asked for (late, repeated, out of order)', () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 30 }), (moves) => {
        const path = walk(moves);
        for (let i = 1; i < path.length; i++) expect(RANK[path[i] as LineStatus]).toBeGreaterThanOrEqual(RANK[path[i - 1] as LineStatus]);
      }),
    );
  });

  it('never takes a line out of a terminal state but into after-sales (returned, refunded)', () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 30 }), (moves) => {
        const path = walk(moves);
        const firstTerminal = path.findIndex((s) => TERMINAL_LINE_STATUSES.has(s));
        if (firstTerminal < 0) return;
        for (const s of path.slice(firstTerminal + 1)) {
          expect(TERMINAL_LINE_STATUSES.has(s)).toBe(true);
          if (s !== path[firstTerminal]) expect(AFTER_SALES.has(s)).toBe(true);
        }
      }),
    );
  });

  it('lets a cancelled or refunded line go nowhere, and a shipped one never back to cancellable', () => {
    fc.assert(
      fc.property(status, (to) => {
        if (to !== 'cancelled') expect(canMoveLine('cancelled', to)).toBe(false);
        if (to !== 'refunded') expect(canMoveLine('refunded', to)).toBe(false);
        expect(canMoveLine('shipped', 'cancelled')).toBe(false);
        expect(canMoveLine(to, to)).toBe(true);
      }),
    );
  });
});
