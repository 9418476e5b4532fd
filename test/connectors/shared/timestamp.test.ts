import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { formatUtc8Timestamp, isWithinSkew, parseUtc8Timestamp } from '../../../connectors/shared/timestamp.ts';

describe('UTC+8 timestamps', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('formats an instant as Beijing wall-clock time', () => {
    expect(formatUtc8Timestamp(new Date('2026-11-23T02:00:00Z'))).toBe('2026-11-23 10:00:00');
    expect(formatUtc8Timestamp(new Date('2026-12-31T16:00:00.999Z'))).toBe('2027-01-01 00:00:00');
    expect(formatUtc8Timestamp(new Date('0001-01-01T00:00:00Z'))).toBe('0001-01-01 08:00:00');
  });

  it('does not depend on the machine time zone', () => {
    for (const tz of ['America/New_York', 'Asia/Kolkata', 'UTC', 'Pacific/Chatham']) {
      process.env.TZ = tz;
      expect(formatUtc8Timestamp(new Date('2026-03-08T07:30:00Z'))).toBe('2026-03-08 15:30:00');
      expect(parseUtc8Timestamp('2026-03-08 15:30:00')?.toISOString()).toBe('2026-03-08T07:30:00.000Z');
    }
  });

  it('parses the worked-example timestamp', () => {
    expect(parseUtc8Timestamp('2026-11-23 10:00:00')?.toISOString()).toBe('2026-11-23T02:00:00.000Z');
    expect(parseUtc8Timestamp('0050-01-01 08:00:00')?.toISOString()).toBe('0050-01-01T00:00:00.000Z');
  });

  it.each([
    '2026-02-30 10:00:00',
    '2026-13-01 10:00:00',
    '2026-11-23 24:00:00',
    '2026-11-23 10:60:00',
    '2026-11-23 10:00:60',
    '2026-11-23T10:00:00',
    '2026-11-23 10:00:00Z',
    ' 2026-11-23 10:00:00',
    '2026-1-2 1:00:00',
    '',
  ])('rejects %j', (text) => {
    expect(parseUtc8Timestamp(text)).toBeUndefined();
  });

  it('refuses to format an invalid date', () => {
    expect(() => formatUtc8Timestamp(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('round-trips every whole-second instant', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('9999-12-31T15:59:59Z'), noInvalidDate: true }), (date) => {
        const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
        const text = formatUtc8Timestamp(whole);
        expect(text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        expect(parseUtc8Timestamp(text)?.getTime()).toBe(whole.getTime());
      }),
    );
  });

  it('treats skew symmetrically and inclusively', () => {
    const now = new Date('2026-11-23T02:00:00Z');
    expect(isWithinSkew(new Date(now.getTime() - 600_000), now, 600_000)).toBe(true);
    expect(isWithinSkew(new Date(now.getTime() + 600_000), now, 600_000)).toBe(true);
    expect(isWithinSkew(new Date(now.getTime() - 600_001), now, 600_000)).toBe(false);
    expect(isWithinSkew(new Date(now.getTime() + 600_001), now, 600_000)).toBe(false);
  });
});
