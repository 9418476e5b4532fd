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
// KEYS[1] bucket hash; ARGV: rate per second, burst, now (ms), cost, lease (tokens wanted, ≥ cost).
// Grants the lease when the bucket holds it, else whatever whole tokens it holds if they cover
// the cost, else nothing (with the wait until the cost is back).
const SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local want = tonumber(ARGV[5])
local b = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil then tokens = burst; ts = now end
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000); ts = now end
local granted = 0
local wait = 0
if tokens >= want then granted = want elseif tokens >= cost then granted = math.floor(tokens) else wait = math.ceil((cost - tokens) * 1000 / rate) end
tokens = tokens - granted
redis.call('HSET', KEYS[1], 't', tokens, 'ts', ts)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {granted, math.floor(tokens), wait}
`;

/** Most tokens one lease takes (a process serving 1 000 requests/s of one mall asks ten times a second). */
const MAX_LEASE = 100;

/** Tokens this process took from a shared bucket ahead of need, usable until `until`. */
interface Lease { tokens: number; until: number; bucketLeft: number }

/**
 * Per-key token-bucket limiter backed by Redis. A process takes tokens in small leases (a
 * twentieth of a second's rate, at most 100, used within `leaseMs`) and spends them locally: at
 * a busy mall's rate that is one script per tens of requests instead of one per request. The
 * shared budget still holds: leased tokens are gone from the bucket, and unused ones expire. A
 * small limit leases one token at a time, exactly as before; near the limit the bucket grants
 * what it has left.
 */
export class RateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #leaseMs: number;
  readonly #leases = new Map<string, Lease>();
  readonly #pending = new Map<string, Promise<RateDecision | null>>();

  constructor(redis: Redis, prefix: string, opts: { leaseMs?: number } = {}) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#leaseMs = opts.leaseMs ?? 200;
    this.#redis.defineCommand('hubTokenBucket', { numberOfKeys: 1, lua: SCRIPT });
  }

  /** Takes `cost` tokens from the bucket `key` refilled at `perSec` up to `burst`. */
  async take(key: string, perSec: number, burst: number, nowMs: number, cost = 1): Promise<RateDecision> {
    for (;;) {
      const lease = this.#leases.get(key);
      if (lease && lease.until > nowMs && lease.tokens >= cost) {
        lease.tokens -= cost;
        return { allowed: true, remaining: lease.bucketLeft + lease.tokens, retryAfterMs: 0 };
      }
      // One lease request per key at a time: callers meanwhile wait for it and spend from it.
      let pending = this.#pending.get(key);
      if (!pending) {
        pending = this.#lease(key, perSec, burst, nowMs, cost).finally(() => this.#pending.delete(key));
        this.#pending.set(key, pending);
      }
      const refused = await pending;
      if (refused) return refused;
    }
  }

  /** Asks the bucket for a lease; resolves null once one is held, or with the refusal. */
  async #lease(key: string, perSec: number, burst: number, nowMs: number, cost: number): Promise<RateDecision | null> {
    const cmd = (this.#redis as unknown as Record<string, (...a: unknown[]) => Promise<[number, number, number]>>).hubTokenBucket;
    if (!cmd) throw new Error('rate limiter script not registered');
    const want = Math.max(cost, Math.min(Math.floor(perSec / 20), Math.floor(burst / 4), MAX_LEASE));
    // Hash tag keeps one bucket's key in one cluster slot.
    const [granted, left, wait] = await cmd.call(this.#redis, `${this.#prefix}:rl:{${key}}`, perSec, burst, nowMs, cost, want);
    if (granted < cost) {
      this.#leases.delete(key);
      return { allowed: false, remaining: left, retryAfterMs: wait };
    }
    this.#leases.set(key, { tokens: granted, until: nowMs + this.#leaseMs, bucketLeft: left });
    return null;
  }
}
