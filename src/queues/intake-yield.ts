/**
 * Lets a worker sharing a host with the API give way to an order-intake burst. `nice` lowers the
 * worker process's own CPU priority, but not that of the PostgreSQL backends doing its queries,
 * and those were most of its cost (webhook dispatch and delivery bookkeeping, workflow steps).
 * So while intake runs at or above `aboveOrdersPerSec`, jobs and the worker's loops pass this
 * gate one at a time, each followed by a rest that keeps the worker busy at most `duty` of the
 * time: fulfilment goes on, slower, and catches up when the burst is over (rests end at once).
 */
export interface YieldOptions {
  /** Intake rate (orders/s, all API processes) at which the worker yields; 0 never yields. */
  aboveOrdersPerSec: number;
  /** Share of wall time the worker may work while yielding (0 < duty ≤ 1). */
  duty: number;
  /** How often the intake rate is read. */
  checkEveryMs: number;
  /** Reads the current intake rate (intakeRate over Redis). */
  readRate: () => Promise<number>;
  /** Told when yielding starts or stops (logs, metrics). */
  onChange?: (yielding: boolean, rate: number) => void;
  /** Told of each rest taken, in milliseconds (metrics). */
  onRest?: (ms: number) => void;
}

export class IntakeYield {
  readonly #opts: YieldOptions;
  #yielding = false;
  /** The end of the previous gated task's rest: the next one starts after it. */
  #lane: Promise<void> = Promise.resolve();
  /** Rests in progress, ended early when the burst is over. */
  readonly #rests = new Set<() => void>();
  #timer: NodeJS.Timeout | null = null;

  constructor(opts: YieldOptions) {
    this.#opts = opts;
    if (opts.aboveOrdersPerSec > 0) {
      this.#timer = setInterval(() => void this.check().catch(() => undefined), opts.checkEveryMs);
      this.#timer.unref();
    }
  }

  get yielding(): boolean {
    return this.#yielding;
  }

  /** Reads the intake rate and starts or stops yielding. */
  async check(): Promise<void> {
    if (this.#opts.aboveOrdersPerSec <= 0) return;
    const rate = await this.#opts.readRate();
    this.set(rate >= this.#opts.aboveOrdersPerSec, rate);
  }

  /** Starts or stops yielding (check does this from the measured rate). */
  set(yielding: boolean, rate = 0): void {
    if (yielding === this.#yielding) return;
    this.#yielding = yielding;
    if (!yielding) {
      for (const end of this.#rests) end();
      this.#rests.clear();
    }
    this.#opts.onChange?.(yielding, rate);
  }

  /** Runs `task` now, or, while yielding, in turn and followed by its rest. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (!this.#yielding) return task();
    const previous = this.#lane;
    let done!: () => void;
    this.#lane = new Promise<void>((r) => (done = r));
    await previous;
    const started = performance.now();
    try {
      return await task();
    } finally {
      void this.#rest(performance.now() - started).then(done);
    }
  }

  /** After `workedMs`, rest so that work is `duty` of the time; over as soon as yielding stops. */
  #rest(workedMs: number): Promise<void> {
    const ms = this.#yielding ? (workedMs * (1 - this.#opts.duty)) / this.#opts.duty : 0;
    if (ms < 1) return Promise.resolve();
    const t0 = performance.now();
    return new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.#rests.delete(end);
        this.#opts.onRest?.(performance.now() - t0);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.#rests.add(end);
    });
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.set(false);
  }
}
