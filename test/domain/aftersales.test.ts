import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canMoveTicket, eligibility, type EligibilityFacts, TERMINAL_TICKET_STATUSES, TICKET_STATUSES, TICKET_TRANSITIONS, ticketableUnits, ticketDueTimes, TICKET_TYPES } from '../../src/domain/aftersales.ts';

const DAY = 24 * 3600_000;
const cfg = { returnDays: 7, damageDays: 15, notReceivedAfterMs: 7 * DAY };
const now = new Date('2026-12-10T00:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const delivered = (f: Partial<EligibilityFacts> = {}): EligibilityFacts => ({
  lineStatus: 'delivered', kind: 'physical', deliveredAt: ago(DAY), shippedAt: ago(3 * DAY), issuedAt: null, trackingTrouble: false,
  unitsFulfilled: 3, unitsRefunded: 0, unitsUnderOpenTickets: 0, openTypes: [], ...f,
});
const reason = (v: ReturnType<typeof eligibility>) => (v.ok ? 'ok' : v.reason);

describe('after-sales eligibility', () => {
  it('quantity: ok exactly when 1 ≤ quantity ≤ fulfilled − refunded − under other open tickets', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 60 }), (fulfilled, refunded, held, quantity) => {
        const v = eligibility('damaged', quantity, delivered({ unitsFulfilled: fulfilled, unitsRefunded: refunded, unitsUnderOpenTickets: held }), now, cfg, 50);
        const left = Math.max(0, fulfilled - refunded - held);
        expect(ticketableUnits({ unitsFulfilled: fulfilled, unitsRefunded: refunded, unitsUnderOpenTickets: held })).toBe(left);
        expect(reason(v)).toBe(quantity <= left ? 'ok' : 'quantity_exceeded');
      }),
    );
  });

  it('quantity: two tickets opened one after the other never hold more than was fulfilled less refunded', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), (fulfilled, refunded, a, b) => {
        const first = eligibility('damaged', a, delivered({ unitsFulfilled: fulfilled, unitsRefunded: refunded }), now, cfg, 20);
        const held = first.ok ? a : 0;
        const second = eligibility('return', b, delivered({ unitsFulfilled: fulfilled, unitsRefunded: refunded, unitsUnderOpenTickets: held, openTypes: first.ok ? ['damaged'] : [] }), now, cfg, 20);
        expect(held + (second.ok ? b : 0)).toBeLessThanOrEqual(Math.max(0, fulfilled - refunded));
      }),
    );
  });

  it('windows after delivery: return/exchange within returnDays, damage types within damageDays', () => {
    expect(reason(eligibility('return', 1, delivered({ deliveredAt: ago(7 * DAY) }), now, cfg, 3))).toBe('ok');
    expect(reason(eligibility('return', 1, delivered({ deliveredAt: ago(7 * DAY + 1) }), now, cfg, 3))).toBe('window_passed');
    expect(reason(eligibility('exchange', 1, delivered({ deliveredAt: ago(8 * DAY) }), now, cfg, 3))).toBe('window_passed');
    for (const t of ['damaged', 'missing_item', 'wrong_item'] as const) {
      expect(reason(eligibility(t, 1, delivered({ deliveredAt: ago(15 * DAY) }), now, cfg, 3))).toBe('ok');
      expect(reason(eligibility(t, 1, delivered({ deliveredAt: ago(16 * DAY) }), now, cfg, 3))).toBe('window_passed');
    }
    expect(reason(eligibility('return', 1, delivered({ lineStatus: 'shipped', deliveredAt: null }), now, cfg, 3))).toBe('line_status');
    expect(reason(eligibility('return', 1, delivered({ kind: 'virtual' }), now, cfg, 3))).toBe('not_physical');
  });

  it('not_received: a shipped line after the wait, or at once on a tracking problem', () => {
    const shipped = (f: Partial<EligibilityFacts>) => delivered({ lineStatus: 'shipped', deliveredAt: null, unitsFulfilled: 0, ...f });
    expect(reason(eligibility('not_received', 2, shipped({ shippedAt: ago(7 * DAY) }), now, cfg, 2))).toBe('ok');
    expect(reason(eligibility('not_received', 2, shipped({ shippedAt: ago(6 * DAY) }), now, cfg, 2))).toBe('too_early');
    expect(reason(eligibility('not_received', 2, shipped({ shippedAt: ago(DAY), trackingTrouble: true }), now, cfg, 2))).toBe('ok');
    expect(reason(eligibility('not_received', 3, shipped({ shippedAt: ago(8 * DAY) }), now, cfg, 2))).toBe('quantity_exceeded');
    expect(reason(eligibility('not_received', 1, delivered(), now, cfg, 2))).toBe('line_status');
  });

  it('virtual_not_received: a virtual line issued or issuing', () => {
    const virtual = (f: Partial<EligibilityFacts>) => delivered({ kind: 'virtual', deliveredAt: null, shippedAt: null, unitsFulfilled: 1, ...f });
    expect(reason(eligibility('virtual_not_received', 1, virtual({ lineStatus: 'issued', issuedAt: ago(DAY) }), now, cfg, 1))).toBe('ok');
    expect(reason(eligibility('virtual_not_received', 1, virtual({ lineStatus: 'issuing', unitsFulfilled: 0 }), now, cfg, 1))).toBe('ok');
    expect(reason(eligibility('virtual_not_received', 1, virtual({ lineStatus: 'pending', unitsFulfilled: 0 }), now, cfg, 1))).toBe('line_status');
    expect(reason(eligibility('virtual_not_received', 1, delivered(), now, cfg, 1))).toBe('not_virtual');
  });

  it('one open ticket per line and type', () => {
    for (const t of TICKET_TYPES) expect(reason(eligibility(t, 1, delivered({ openTypes: [t] }), now, cfg, 3))).toBe('duplicate_open_ticket');
    expect(reason(eligibility('return', 1, delivered({ openTypes: ['damaged'], unitsUnderOpenTickets: 1 }), now, cfg, 3))).toBe('ok');
  });

  it('due times come from the type’s SLA', () => {
    const sla = Object.fromEntries(TICKET_TYPES.map((t) => [t, { firstResponseMs: 1000, resolutionMs: 5000 }])) as never;
    expect(ticketDueTimes('return', now, { sla })).toEqual({ firstResponseDueAt: new Date(now.getTime() + 1000), resolutionDueAt: new Date(now.getTime() + 5000) });
  });
});

describe('the ticket state machine', () => {
  it('final statuses go nowhere; open ones may be withdrawn; staying is allowed', () => {
    expect([...TERMINAL_TICKET_STATUSES].sort()).toEqual(['rejected', 'resolved', 'withdrawn']);
    for (const s of TICKET_STATUSES) {
      expect(canMoveTicket(s, s)).toBe(true);
      expect(canMoveTicket(s, 'withdrawn')).toBe(s === 'withdrawn' || !TERMINAL_TICKET_STATUSES.has(s));
      for (const to of TICKET_STATUSES) if (TERMINAL_TICKET_STATUSES.has(s) && to !== s) expect(canMoveTicket(s, to)).toBe(false);
    }
    expect(TICKET_TRANSITIONS.in_progress).not.toContain('open');
  });
});
