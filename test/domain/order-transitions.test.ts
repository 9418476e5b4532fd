import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPermanent } from '../../src/domain/errors.ts';
import {
  canMoveLine,
  canMoveOrder,
  IllegalOrderTransition,
  LINE_STATUSES,
  type LineStatus,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  orderMove,
  type OrderStatus,
  orderStatusOf,
  TERMINAL_ORDER_STATUSES,
} from '../../src/domain/order-status.ts';

// How far along its life a line status is: a line only ever moves to a status at least as far.
const RANK: Record<LineStatus, number> = {
  pending: 0, submitted: 1, accepted: 2, issuing: 2, shipped: 3, delivered: 4, issued: 4, cancelled: 4, failed: 4, returned: 5, refunded: 6,
};
// Line statuses fulfilment does not leave; from them only after-sales (returned, refunded) moves on.
const TERMINAL_LINE: ReadonlySet<LineStatus> = new Set(['delivered', 'issued', 'returned', 'cancelled', 'failed', 'refunded']);
const AFTER_SALES: ReadonlySet<LineStatus> = new Set(['returned', 'refunded']);
// The order statuses this file expects to be final (ORDER_TRANSITIONS must agree).
const TERMINAL_ORDER: readonly OrderStatus[] = ['cancelled', 'failed'];

const lineStatus = fc.constantFrom(...LINE_STATUSES);
/** An order of 1–5 lines and a sequence of events, each a line and the status it asks for (legal or not, repeated, late). */
const orderAndEvents = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc.record({ n: fc.constant(n), events: fc.array(fc.tuple(fc.nat({ max: n - 1 }), lineStatus), { maxLength: 40 }) }),
);

/** The states an order's lines go through, from all pending, applying each event only if the line machine allows it. */
function walk(n: number, events: readonly (readonly [number, LineStatus])[]): LineStatus[][] {
  const states: LineStatus[][] = [Array<LineStatus>(n).fill('pending')];
  for (const [i, to] of events) {
    const prev = states.at(-1) as LineStatus[];
    const next = [...prev];
    if (canMoveLine(prev[i] as LineStatus, to)) next[i] = to;
    states.push(next);
  }
  return states;
}

/** Every multiset of `n` line statuses (orderStatusOf does not depend on the lines' order). */
function* multisets(n: number, from = 0): Generator<LineStatus[]> {
  if (n === 0) return yield [];
  for (let j = from; j < LINE_STATUSES.length; j++) for (const rest of multisets(n - 1, j)) yield [LINE_STATUSES[j] as LineStatus, ...rest];
}

/** Every change of order status one allowed line move makes, over every order of 1–5 lines: "from>to" → an example. */
function orderChangesByOneLineMove(): Map<string, string> {
  const seen = new Map<string, string>();
  for (let n = 1; n <= 5; n++) {
    for (const lines of multisets(n)) {
      const from = orderStatusOf(lines);
      lines.forEach((s, i) => {
        for (const to of LINE_STATUSES) {
          if (to === s || !canMoveLine(s, to)) continue;
          const after = orderStatusOf(lines.with(i, to));
          if (after !== from && !seen.has(`${from}>${after}`)) seen.set(`${from}>${after}`, `${JSON.stringify(lines)}: ${s} → ${to}`);
        }
      });
    }
  }
  return seen;
}

/** For each entry of ORDER_TRANSITIONS, lines from a new order (all pending) to that change, one allowed line move a step. */
const EXAMPLES: [OrderStatus, OrderStatus, LineStatus[][]][] = [
  ['accepted', 'in_progress', [['pending', 'pending'], ['submitted', 'pending']]],
  ['accepted', 'completed', [['pending'], ['delivered']]],
  ['accepted', 'failed', [['pending'], ['failed']]],
  ['accepted', 'cancelled', [['pending'], ['cancelled']]],
  ['in_progress', 'completed', [['pending', 'pending'], ['issued', 'pending'], ['issued', 'delivered']]],
  ['in_progress', 'partially_failed', [['pending', 'pending'], ['issued', 'pending'], ['issued', 'failed']]],
  ['in_progress', 'failed', [['pending', 'pending'], ['cancelled', 'pending'], ['cancelled', 'failed']]],
  ['in_progress', 'cancelled', [['pending', 'pending'], ['cancelled', 'pending'], ['cancelled', 'cancelled']]],
  // after-sales: a delivered line returned, then refunded, next to a line still delivered
  ['completed', 'partially_failed', [['pending', 'pending'], ['shipped', 'pending'], ['shipped', 'delivered'], ['delivered', 'delivered'], ['returned', 'delivered'], ['refunded', 'delivered']]],
  // the only line not cancelled refunded after it was issued
  ['completed', 'failed', [['pending', 'pending'], ['cancelled', 'pending'], ['cancelled', 'issuing'], ['cancelled', 'issued'], ['cancelled', 'refunded']]],
  ['partially_failed', 'failed', [['pending', 'pending'], ['failed', 'pending'], ['failed', 'delivered'], ['failed', 'refunded']]],
];

const tableEdges = () => ORDER_STATUSES.flatMap((from) => ORDER_TRANSITIONS[from].map((to) => `${from}>${to}`));

describe('the order state machine', () => {
  it('names every order status, and only order statuses, in its table', () => {
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...ORDER_STATUSES].sort());
    for (const to of Object.values(ORDER_TRANSITIONS).flat()) expect(ORDER_STATUSES).toContain(to);
    for (const from of ORDER_STATUSES) expect(ORDER_TRANSITIONS[from]).not.toContain(from);
  });

  it('keeps every line moving forward and every order change inside ORDER_TRANSITIONS, whatever events arrive (illegal, repeated, late)', () => {
    fc.assert(
      fc.property(orderAndEvents, ({ n, events }) => {
        const states = walk(n, events);
        for (let k = 1; k < states.length; k++) {
          const [prev, next] = [states[k - 1] as LineStatus[], states[k] as LineStatus[]];
          for (let i = 0; i < n; i++) {
            const [a, b] = [prev[i] as LineStatus, next[i] as LineStatus];
            expect(RANK[b]).toBeGreaterThanOrEqual(RANK[a]);
            if (TERMINAL_LINE.has(a)) {
              expect(TERMINAL_LINE.has(b)).toBe(true);
              if (b !== a) expect(AFTER_SALES.has(b)).toBe(true);
            }
          }
          const [from, to] = [orderStatusOf(prev), orderStatusOf(next)];
          if (!canMoveOrder(from, to)) throw new Error(`order ${from} → ${to} on ${JSON.stringify(prev)} → ${JSON.stringify(next)}`);
          expect(orderMove(from, to)).toBe(to);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never changes a terminal order status (cancelled, failed), whatever events arrive afterwards', () => {
    expect([...TERMINAL_ORDER_STATUSES].sort()).toEqual([...TERMINAL_ORDER].sort());
    fc.assert(
      fc.property(orderAndEvents, ({ n, events }) => {
        const statuses = walk(n, events).map(orderStatusOf);
        const first = statuses.findIndex((s) => TERMINAL_ORDER_STATUSES.has(s));
        if (first < 0) return;
        for (const s of statuses.slice(first)) expect(s).toBe(statuses[first]);
      }),
      { numRuns: 2000 },
    );
    // And from any lines at all that give a terminal order status, no allowed line move changes it.
    fc.assert(
      fc.property(fc.array(lineStatus, { minLength: 1, maxLength: 5 }), fc.nat(), lineStatus, (lines, k, to) => {
        const status = orderStatusOf(lines);
        const i = k % lines.length;
        if (!TERMINAL_ORDER_STATUSES.has(status) || !canMoveLine(lines[i] as LineStatus, to)) return;
        expect(orderStatusOf(lines.with(i, to))).toBe(status);
      }),
      { numRuns: 2000 },
    );
  });

  it('is exactly what one allowed line move can do, over every order of 1–5 lines (no entry unreachable, none missing)', () => {
    // Every line status is reachable from pending, so every combination of lines is a reachable order.
    const reached = new Set<LineStatus>(['pending']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const from of reached) {
        for (const to of LINE_STATUSES) {
          if (reached.has(to) || !canMoveLine(from, to)) continue;
          reached.add(to);
          grew = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...LINE_STATUSES].sort());

    const seen = orderChangesByOneLineMove();
    expect([...seen.keys()].sort()).toEqual(tableEdges().sort());
  });

  it.each(EXAMPLES)('%s → %s is reachable from a new order by allowed line moves', (from, to, path) => {
    expect(canMoveOrder(from, to)).toBe(true);
    for (let k = 1; k < path.length; k++) {
      const [prev, next] = [path[k - 1] as LineStatus[], path[k] as LineStatus[]];
      expect(prev.filter((s, i) => s !== next[i])).toHaveLength(1);
      prev.forEach((s, i) => expect(canMoveLine(s, next[i] as LineStatus)).toBe(true));
    }
    expect(path[0]?.every((s) => s === 'pending')).toBe(true);
    expect(orderStatusOf(path.at(-2) as LineStatus[])).toBe(from);
    expect(orderStatusOf(path.at(-1) as LineStatus[])).toBe(to);
  });

  it('has a worked example for every entry of ORDER_TRANSITIONS, and for nothing else', () => {
    expect(EXAMPLES.map(([from, to]) => `${from}>${to}`).sort()).toEqual(tableEdges().sort());
  });

  it('refuses, permanently, a move the table does not allow, and allows staying', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ORDER_STATUSES), fc.constantFrom(...ORDER_STATUSES), (from, to) => {
        expect(canMoveOrder(from, from)).toBe(true);
        expect(orderMove(from, from)).toBe(from);
        if (canMoveOrder(from, to)) {
          expect(orderMove(from, to, 'o-1')).toBe(to);
          return;
        }
        const err = (() => {
          try {
            orderMove(from, to, 'o-1');
          } catch (e) {
            return e;
          }
        })();
        expect(err).toBeInstanceOf(IllegalOrderTransition);
        expect(isPermanent(err)).toBe(true);
        expect(err).toMatchObject({ code: 'conflict', from, to, details: { orderId: 'o-1', from, to } });
      }),
    );
    expect(canMoveOrder('completed', 'in_progress')).toBe(false);
    expect(canMoveOrder('in_progress', 'accepted')).toBe(false);
    expect(canMoveOrder('accepted', 'partially_failed')).toBe(false);
  });
});
