import { BrokenCircuitError, bulkhead, CircuitState, circuitBreaker, ConsecutiveBreaker, handleWhen, BulkheadRejectedError } from 'cockatiel';
import pRetry from 'p-retry';
import type { ConnectorHealth } from '../connector.ts';
import { SupplierError } from '../errors.ts';

/** Retry, circuit and concurrency settings of one supplier; every delay is config so tests shorten it. */
export interface ResilienceOptions {
  /** Calls in flight at once; more wait in a queue of `queueLimit`. */
  concurrency: number;
  queueLimit: number;
  /** Extra attempts for retryable failures (reads, and writes whose outcome is known). */
  retries: number;
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
  /** Consecutive failures that open the circuit, and how long it stays open before a trial call. */
  breakerThreshold: number;
  breakerHalfOpenAfterMs: number;
}

export const defaultResilience: ResilienceOptions = {
  concurrency: 16,
  queueLimit: 1_000,
  retries: 3,
  minRetryDelayMs: 200,
  maxRetryDelayMs: 5_000,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 30_000,
};

/** Failures that say the supplier is unhealthy (not our bad request, not a stockout). */
const tripsBreaker = (err: unknown) => err instanceof SupplierError && (err.code === 'unavailable' || err.code === 'timeout' || err.code === 'invalid_response');

/**
 * Every supplier call goes through one of these: a bulkhead caps concurrency, a circuit breaker
 * stops calling a failing supplier, and p-retry (with jitter) retries only what can succeed later.
 *
 *   call ──► bulkhead ──► breaker ──► attempt
 *                                   │ ok ─────────────────────────────► result
 *                                   │ retryable && known outcome ─────► backoff (or Retry-After), again
 *                                   │ outcome unknown (write timed out) ► throw: caller looks it up
 *                                   └ not retryable ──────────────────► throw at once
 */
export class SupplierCaller {
  readonly #supplier: string;
  readonly #opts: ResilienceOptions;
  readonly #bulkhead;
  readonly #breaker;

  constructor(supplier: string, opts: Partial<ResilienceOptions> = {}) {
    this.#supplier = supplier;
    this.#opts = { ...defaultResilience, ...opts };
    this.#bulkhead = bulkhead(this.#opts.concurrency, this.#opts.queueLimit);
    this.#breaker = circuitBreaker(handleWhen(tripsBreaker), {
      halfOpenAfter: this.#opts.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(this.#opts.breakerThreshold),
    });
  }

  /** Runs `fn` with retries; `write` calls are not retried when their outcome is unknown. */
  async call<T>(fn: (attempt: number) => Promise<T>, opts: { write?: boolean; retries?: number } = {}): Promise<T> {
    return pRetry((attempt) => this.#once(() => fn(attempt)), {
      retries: opts.retries ?? this.#opts.retries,
      minTimeout: this.#opts.minRetryDelayMs,
      maxTimeout: this.#opts.maxRetryDelayMs,
      randomize: true,
      shouldRetry: async ({ error, retriesLeft }) => {
        const again = error instanceof SupplierError && error.retryable && !(opts.write && error.outcomeUnknown) && error.code !== 'circuit_open';
        // Honour Retry-After only when another attempt will actually follow.
        if (again && retriesLeft > 0 && error.retryAfterMs) await new Promise((r) => setTimeout(r, error.retryAfterMs));
        return again;
      },
    });
  }

  async #once<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.#bulkhead.execute(() => this.#breaker.execute(fn));
    } catch (err) {
      if (err instanceof BrokenCircuitError) throw new SupplierError(this.#supplier, 'circuit_open', 'circuit open after repeated failures', { cause: err });
      if (err instanceof BulkheadRejectedError) throw new SupplierError(this.#supplier, 'rate_limited', 'too many calls queued for this supplier', { cause: err, retryAfterMs: 100 });
      throw err;
    }
  }

  health(): ConnectorHealth {
    const s = this.#breaker.state;
    const circuit = s === CircuitState.Open || s === CircuitState.Isolated ? 'open' : s === CircuitState.HalfOpen ? 'half_open' : 'closed';
    return { circuit, inFlight: this.#opts.concurrency - this.#bulkhead.executionSlots };
  }
}
