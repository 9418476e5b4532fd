import { afterAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/redis/rate-limiter.ts';
import { testRedis } from '../support/redis.ts';

const r = testRedis();
const { redis, prefix } = r;
afterAll(() => r.close());

/** Tokens left in the shared bucket of `key`. */
const bucket = async (key: string) => Number(await redis.hget(`${prefix}:rl:{${key}}`, 't'));

describe('RateLimiter', () => {
  it('takes a busy key\'s tokens from Redis in leases and spends them locally', async () => {
    const limiter = new RateLimiter(redis, prefix);
    const now = 5_000_000;
    // 400/s, burst 1 000: a lease is a twentieth of a second's rate, 20 tokens.
    const results = [];
    for (let i = 0; i < 50; i++) results.push(await limiter.take('busy', 400, 1_000, now));
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(await bucket('busy')).toBe(1_000 - 60);
    // Concurrent callers share one lease request at a time.
    const burst = await Promise.all(Array.from({ length: 30 }, () => limiter.take('busy', 400, 1_000, now)));
    expect(burst.every((r) => r.allowed)).toBe(true);
    expect(await bucket('busy')).toBe(1_000 - 80);
    expect(burst.at(-1)?.remaining).toBe(920);
  });

  it('keeps the shared budget across processes: leased tokens are gone from the bucket, and the last ones are granted as they are', async () => {
    const a = new RateLimiter(redis, prefix);
    const b = new RateLimiter(redis, prefix);
    const now = 6_000_000;
    // Burst 100 at 400/s, no time passing: exactly 100 requests get through in all.
    expect((await a.take('shared', 400, 100, now)).allowed).toBe(true);
    let allowedB = 0;
    let refused;
    for (let i = 0; i < 120; i++) {
      const r = await b.take('shared', 400, 100, now);
      if (r.allowed) allowedB++;
      else refused = r;
    }
    // A holds the 19 tokens left of its lease; B got the other 80.
    expect(allowedB).toBe(80);
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused?.retryAfterMs).toBeGreaterThan(0);
    let allowedA = 1;
    for (let i = 0; i < 30; i++) if ((await a.take('shared', 400, 100, now)).allowed) allowedA++;
    expect(allowedA + allowedB).toBe(100);
  });

  it('lets an unused lease expire instead of spending it later, and leases one token at a time under a small limit', async () => {
    const limiter = new RateLimiter(redis, prefix, { leaseMs: 200 });
    const now = 7_000_000;
    await limiter.take('idle', 400, 1_000, now);
    expect(await bucket('idle')).toBe(980);
    // 300 ms later the 19 left are not used: a new lease is taken (the bucket refilled meanwhile, to its burst).
    await limiter.take('idle', 400, 1_000, now + 300);
    expect(await bucket('idle')).toBe(980);
    // 1/s with a burst of 2: every request asks Redis, so the limit is exact.
    const small = [];
    for (let i = 0; i < 3; i++) small.push((await limiter.take('small', 1, 2, now)).allowed);
    expect(small).toEqual([true, true, false]);
  });
});
