import type { CallStats } from '../connector.ts';

/**
 * Recent calls of one connector, for /admin/suppliers: how many finished, how many failed and how
 * long they took, over the last `windowMs`. Time is cut into `buckets` slices that are reused as
 * the clock moves on, so the window costs the same however busy the supplier is:
 *
 *   record(ms, failure?) ──► the slice of now (reset first if it held an older slice)
 *                              calls++, failures++ when failed, the latency kept as a sample
 *
 * A slice keeps up to `samplesPerSlice` latencies: all of them while traffic is light, a uniform
 * sample of the slice's calls beyond that (reservoir sampling). Percentiles are computed on read
 * (rare: an admin asking), each sample weighted by the calls it stands for. Recording is O(1) on
 * the path of every supplier call.
 */

export interface CallWindowOptions {
  /** How far back the statistics reach (default 5 minutes); the oldest slice may reach one slice less. */
  windowMs: number;
  /** Slices the window is cut into (default 30: 10 s each at 5 minutes). */
  buckets: number;
  /** Latencies kept per slice (default 256). */
  samplesPerSlice: number;
  /** The window's time in ms (a connector's clock); durations are measured by the caller. */
  now: () => number;
  /** For the reservoir; tests pin it. */
  random: () => number;
}

interface Slice {
  /** Which slice of time it holds (ms / slice length); -1 when unused. */
  index: number;
  calls: number;
  failures: number;
  samples: number[];
}

export const defaultCallWindow: Omit<CallWindowOptions, 'now' | 'random'> = { windowMs: 5 * 60_000, buckets: 30, samplesPerSlice: 256 };

export class CallWindow {
  readonly #opts: CallWindowOptions;
  readonly #sliceMs: number;
  readonly #slices: Slice[];
  #lastError: { at: number; message: string } | undefined;

  constructor(opts: Partial<CallWindowOptions> = {}) {
    this.#opts = { ...defaultCallWindow, now: () => Date.now(), random: Math.random, ...opts };
    const buckets = Math.max(1, Math.floor(this.#opts.buckets));
    this.#sliceMs = Math.max(1, Math.ceil(this.#opts.windowMs / buckets));
    this.#slices = Array.from({ length: buckets }, () => ({ index: -1, calls: 0, failures: 0, samples: [] }));
  }

  /** One finished call: its duration, and what went wrong when it failed (already free of secrets). */
  record(durationMs: number, failure?: string): void {
    const now = this.#opts.now();
    const index = Math.floor(now / this.#sliceMs);
    const slice = this.#slices[index % this.#slices.length] as Slice;
    if (slice.index !== index) {
      slice.index = index;
      slice.calls = 0;
      slice.failures = 0;
      slice.samples.length = 0;
    }
    slice.calls++;
    if (failure !== undefined) {
      slice.failures++;
      this.#lastError = { at: now, message: failure };
    }
    if (slice.samples.length < this.#opts.samplesPerSlice) slice.samples.push(durationMs);
    else {
      // Reservoir sampling: the n-th call replaces a kept sample with probability size/n.
      const j = Math.floor(this.#opts.random() * slice.calls);
      if (j < this.#opts.samplesPerSlice) slice.samples[j] = durationMs;
    }
  }

  stats(): CallStats {
    const current = Math.floor(this.#opts.now() / this.#sliceMs);
    const oldest = current - this.#slices.length + 1;
    let calls = 0;
    let failures = 0;
    const weighted: [ms: number, weight: number][] = [];
    for (const s of this.#slices) {
      if (s.index < oldest || s.index > current || s.calls === 0) continue;
      calls += s.calls;
      failures += s.failures;
      const weight = s.calls / s.samples.length;
      for (const ms of s.samples) weighted.push([ms, weight]);
    }
    weighted.sort((a, b) => a[0] - b[0]);
    return {
      calls,
      failures,
      errorRate: calls === 0 ? 0 : round(failures / calls, 4),
      p50Ms: percentile(weighted, 0.5),
      p95Ms: percentile(weighted, 0.95),
      windowMs: this.#opts.windowMs,
      lastErrorAt: this.#lastError ? new Date(this.#lastError.at).toISOString() : null,
      lastError: this.#lastError?.message ?? null,
    };
  }
}

/** Nearest rank over weighted samples sorted by value: the smallest value whose cumulative weight reaches q of the total. */
function percentile(sorted: readonly [number, number][], q: number): number | null {
  if (sorted.length === 0) return null;
  const total = sorted.reduce((sum, [, w]) => sum + w, 0);
  const target = q * total;
  let cumulative = 0;
  for (const [ms, w] of sorted) {
    cumulative += w;
    if (cumulative >= target - 1e-9) return round(ms, 1);
  }
  return round((sorted.at(-1) as [number, number])[0], 1);
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
