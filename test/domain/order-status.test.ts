import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LINE_STATUSES, type LineStatus, orderStatusOf, TERMINAL_LINE_STATUSES } from '../../src/domain/order-status.ts';

const lines = fc.array(fc.constantFrom(...LINE_STATUSES), { minLength: 1, maxLength: 8 });

describe('order status derived from its lines', () => {
  it.each<[LineStatus[], string]>([
    [['cancelled', 'cancelled'], 'cancelled'],
    [['failed', 'cancelled'], 'failed'],
    [['refunded'], 'failed'],
    [['delivered', 'failed'], 'partially_failed'],
    [['issued', 'refunded', 'cancelled'], 'partially_failed'],
    [['delivered', 'cancelled'], 'completed'],
    [['issued', 'returned'], 'completed'],
    [['pending', 'pending'], 'accepted'],
    [['pending', 'submitted'], 'in_progress'],
    [['shipped', 'failed'], 'in_progress'],
  ])('%j → %s, as the contract table says', (statuses, want) => {
    expect(orderStatusOf(statuses)).toBe(want);
  });

  it('is never final while a line is still moving', () => {
    fc.assert(
      fc.property(lines, (ls) => {
        const open = ls.some((s) => !TERMINAL_LINE_STATUSES.has(s));
        const status = orderStatusOf(ls);
        if (open) expect(['accepted', 'in_progress']).toContain(status);
        else expect(['accepted', 'in_progress']).not.toContain(status);
      }),
    );
  });

  it('does not depend on the order of the lines', () => {
    fc.assert(fc.property(lines, fc.nat(), (ls, k) => {
      const rotated = [...ls.slice(k % ls.length), ...ls.slice(0, k % ls.length)];
      expect(orderStatusOf(rotated)).toBe(orderStatusOf(ls));
    }));
  });

  it('refuses an order without lines', () => {
    expect(() => orderStatusOf([])).toThrow(RangeError);
  });
});
