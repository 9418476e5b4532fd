import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '../../src/redis/connection.ts';
import { IntakeLoadMeter, intakeRate } from '../../src/redis/intake-load.ts';
import { clearPrefix } from '../support/hub.ts';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = createRedis(url);
const prefix = `t_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  redis.disconnect();
  await clearPrefix(url, prefix);
});

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
