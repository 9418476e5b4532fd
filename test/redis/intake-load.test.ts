import { afterAll, describe, expect, it } from 'vitest';
import { IntakeLoadMeter, intakeRate } from '../../src/redis/intake-load.ts';
import { testRedis } from '../support/redis.ts';

const r = testRedis();
const { redis, prefix } = r;
afterAll(() => r.close());

describe('intake load through Redis', () => {
  it('adds every API process\'s count to one per-second counter, and reads the rate from the last second or the current pace', async () => {
    let now = 1_000_000_500;
    const a = new IntakeLoadMeter(redis, prefix, { flushEveryMs: 60_000, now: () => now });
    const b = new IntakeLoadMeter(redis, prefix, { flushEveryMs: 60_000, now: () => now });
    for (let i = 0; i < 30; i++) a.mark();
    for (let i = 0; i < 12; i++) b.mark();
    await Promise.all([a.flush(), b.flush()]);
    // Nothing is written when nothing was counted.
    await a.flush();
    // 600 ms into that second: 42 so far is a pace of 70/s.
    expect(await intakeRate(redis, prefix, 1_000_000_600)).toBe(70);
    // Too early in a second to judge its pace: the last complete second counts.
    expect(await intakeRate(redis, prefix, 1_000_001_100)).toBe(42);
    now = 1_000_001_300;
    a.mark();
    await a.flush();
    expect(await intakeRate(redis, prefix, 1_000_001_500)).toBe(42);
    // Two seconds later nothing recent is left.
    expect(await intakeRate(redis, prefix, 1_000_003_100)).toBe(0);
    a.stop();
    b.stop();
  });
});
