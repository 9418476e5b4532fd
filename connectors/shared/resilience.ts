import { BrokenCircuitError, bulkhead, CircuitState, circuitBreaker, ConsecutiveBreaker, handleWhen, BulkheadRejectedError } from 'cockatiel';
import pRetry from 'p-retry';
import type { CallStats, ConnectorHealth } from '../connector.ts';
import { SupplierError } from '../errors.ts';
import { CallWindow, defaultCallWindow } from './call-window.ts';

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
  /** How far back health() reports calls, failures and latencies, and the slices that window is cut into. */
  statsWindowMs: number;
  statsBuckets: number;
}

export const defaultResilience: ResilienceOptions = {
  concurrency: 16,
  queueLimit: 1_000,
  retries: 3,
  minRetryDelayMs: 200,
  maxRetryDelayMs: 5_000,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 30_000,
  statsWindowMs: defaultCallWindow.windowMs,
  statsBuckets: defaultCallWindow.buckets,
};

/** Failures that say the supplier is unhealthy (not our bad request, not a stockout). */
const tripsBreaker = (err: unknown) => err instanceof SupplierError && (err.code === 'unavailable' || err.code === 'timeout' || err.code === 'invalid_response');

/**
 * A failure as health() shows it: the code and the message without the supplier prefix, URLs
 * left out and runs of six or more digits masked (phone numbers, accounts, order numbers), cut
 * to 200 characters. Messages are the connectors' own or the supplier's "system busy" text, never
 * a request's parameters; this keeps it so.
 */
export function describeFailure(err: SupplierError): string {
  const prefix = `${err.supplier}: `;
  const message = (err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message)
    .replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, '<url>')
    .replace(/\d{6,}/g, (d) => '*'.repeat(d.length));
  const text = `${err.code}${err.supplierCode ? ` (${err.supplierCode})` : ''}: ${message}`;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

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
  readonly #window: CallWindow;

  /** `now` is the connector's clock, which places calls in the health window (durations are measured with performance.now). */
  constructor(supplier: string, opts: Partial<ResilienceOptions> = {}, now: () => Date = () => new Date()) {
    this.#supplier = supplier;
    this.#opts = { ...defaultResilience, ...opts };
    this.#window = new CallWindow({ windowMs: this.#opts.statsWindowMs, buckets: this.#opts.statsBuckets, now: () => now().getTime() });
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
      return await this.#bulkhead.execute(() => this.#breaker.execute(() => this.#timed(fn)));
    } catch (err) {
      if (err instanceof BrokenCircuitError) throw new SupplierError(this.#supplier, 'circuit_open', 'circuit open after repeated failures', { cause: err });
      if (err instanceof BulkheadRejectedError) throw new SupplierError(this.#supplier, 'rate_limited', 'too many calls queued for this supplier', { cause: err, retryAfterMs: 100 });
      throw err;
    }
  }

  /**
   * One attempt that reached the supplier, recorded in the health window: inside the bulkhead
   * (queue wait is not the supplier's latency) and the breaker (a call refused while open reached
   * nobody). Failures are what trips the breaker.
   */
  async #timed<T>(fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const out = await fn();
      this.#window.record(performance.now() - started);
      return out;
    } catch (err) {
      this.#window.record(performance.now() - started, tripsBreaker(err) ? describeFailure(err as SupplierError) : undefined);
      throw err;
    }
  }

  health(): ConnectorHealth {
    const s = this.#breaker.state;
    const circuit = s === CircuitState.Open || s === CircuitState.Isolated ? 'open' : s === CircuitState.HalfOpen ? 'half_open' : 'closed';
    // The call statistics are computed on first read (a sort of the window's samples): routing reads
    // only the circuit, for every candidate source of every line, and must not pay for them.
    const window = this.#window;
    let stats: CallStats | undefined;
    const w = (): CallStats => (stats ??= window.stats());
    return {
      circuit,
      inFlight: this.#opts.concurrency - this.#bulkhead.executionSlots,
      get calls() { return w().calls; },
      get failures() { return w().failures; },
      get errorRate() { return w().errorRate; },
      get p50Ms() { return w().p50Ms; },
      get p95Ms() { return w().p95Ms; },
      get windowMs() { return w().windowMs; },
      get lastErrorAt() { return w().lastErrorAt; },
      get lastError() { return w().lastError; },
    };
  }
}
