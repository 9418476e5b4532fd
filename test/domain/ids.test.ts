import { describe, expect, it } from 'vitest';
import { newId, uuidV7Hex } from '../../src/domain/ids.ts';

const V7 = /^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/;

describe('ids', () => {
  it('are prefixed UUIDv7s carrying the millisecond they were made in', () => {
    const before = Date.now();
    const id = newId('ord');
    const after = Date.now();
    expect(id).toMatch(/^ord_/);
    const hex = id.slice(4);
    expect(hex).toMatch(V7);
    const ms = Number.parseInt(hex.slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after + 1);
  });

  it('made in one burst are unique and in the order they were made', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidV7Hex());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(V7);
  });

  it('stay in order when one millisecond holds more ids than the counter counts', () => {
    const ms = Date.now() + 60_000; // a millisecond no earlier id used
    const ids = Array.from({ length: 5_000 }, () => uuidV7Hex(ms));
    expect([...ids].sort()).toEqual(ids);
    // The counter ran over: later ids borrowed the next millisecond rather than wrap.
    expect(Number.parseInt(ids.at(-1)?.slice(0, 12) ?? '', 16)).toBe(ms + 1);
  });
});
