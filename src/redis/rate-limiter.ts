import type { Redis } from 'ioredis';

/** Result of one rate-limit check. */
export interface RateDecision {
  allowed: boolean;
  /** Tokens left after this request. */
  remaining: number;
  /** When not allowed: how long until one token is back. */
  retryAfterMs: number;
}

// Token bucket in one atomic script so every API process shares the same budget per key.
// KEYS[1] bucket hash; ARGV: rate per second, burst, now (ms), cost.
const SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil then tokens = burst; ts = now end
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000); ts = now end
local allowed = 0
local wait = 0
if tokens >= cost then tokens = tokens - cost; allowed = 1 else wait = math.ceil((cost - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 't', tokens, 'ts', ts)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, math.floor(tokens), wait}
`;

/** Per-key token-bucket limiter backed by Redis. */
export class RateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#redis.defineCommand('hubTokenBucket', { numberOfKeys: 1, lua: SCRIPT });
  }

  /** Takes `cost` tokens from the bucket `key` refilled at `perSec` up to `burst`. */
  async take(key: string, perSec: number, burst: number, nowMs: number, cost = 1): Promise<RateDecision> {
    const cmd = (this.#redis as unknown as Record<string, (...a: unknown[]) => Promise<[number, number, number]>>).hubTokenBucket;
    if (!cmd) throw new Error('rate limiter script not registered');
    // Hash tag keeps one bucket's key in one cluster slot.
    const [allowed, remaining, wait] = await cmd.call(this.#redis, `${this.#prefix}:rl:{${key}}`, perSec, burst, nowMs, cost);
    return { allowed: allowed === 1, remaining, retryAfterMs: wait };
  }
}
