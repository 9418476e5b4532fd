import type { Redis } from 'ioredis';

/**
 * How many orders the API processes are taking, shared through Redis so that workers on the same
 * host can yield to a burst (see IntakeYield). Each API process counts its POST /v1/orders calls
 * in memory and adds them to a per-second counter every `flushEveryMs`: a few Redis writes a
 * second per process, not one per order.
 */
export class IntakeLoadMeter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #now: () => number;
  #count = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(redis: Redis, prefix: string, opts: { flushEveryMs: number; now?: () => number }) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#now = opts.now ?? Date.now;
    this.#timer = setInterval(() => void this.flush().catch(() => undefined), opts.flushEveryMs);
    // Counting must never keep a process alive (tests, CLI commands that build deps).
    this.#timer.unref();
  }

  /** One more order request arrived. */
  mark(): void {
    this.#count++;
  }

  /** Adds what was counted since the last flush to this second's counter. */
  async flush(): Promise<void> {
    if (this.#count === 0) return;
    const n = this.#count;
    this.#count = 0;
    const key = intakeKey(this.#prefix, Math.floor(this.#now() / 1000));
    await this.#redis.multi().incrby(key, n).pexpire(key, 10_000).exec();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

const intakeKey = (prefix: string, second: number) => `${prefix}:intake-load:${second}`;

/**
 * Orders per second the API processes are taking: the last complete second's count, or the
 * current second's pace when that is higher (a burst is seen within a fraction of a second).
 */
export async function intakeRate(redis: Redis, prefix: string, nowMs: number): Promise<number> {
  const second = Math.floor(nowMs / 1000);
  const [prev, cur] = await redis.mget(intakeKey(prefix, second - 1), intakeKey(prefix, second));
  const into = nowMs - second * 1000;
  const pace = into >= 200 ? (Number(cur ?? 0) * 1000) / into : 0;
  return Math.max(Number(prev ?? 0), Math.round(pace));
}
