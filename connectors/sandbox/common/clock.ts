/**
 * Sandbox time: real time plus an offset that tests and developers move forward
 * (`POST /clock/advance`) to drive order lifecycles. It is the suppliers' business time: when an
 * order ships or is delivered, a recharge's result, the created/modified stamps and message times
 * the suppliers report, catalog revisions, idempotency-key retention.
 *
 * It is never the time of the transport: a request's timestamp is checked against wall time
 * (`Date.now()`), tokens expire and rate limits count in wall time, and callbacks are signed with
 * wall time, as real suppliers and the hub do. Moving this clock a week ahead must not make a
 * supplier refuse the hub's calls, nor the hub refuse the supplier's callbacks.
 */
export class SandboxClock {
  #offsetMs = 0;
  readonly #listeners: ((now: Date) => void | Promise<void>)[] = [];

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  /** How far (ms) sandbox time runs ahead of wall time: the sum of every advance. */
  get aheadMs(): number {
    return this.#offsetMs;
  }

  /** Moves time forward and lets every sandbox run what became due. */
  async advance(ms: number): Promise<Date> {
    this.#offsetMs += ms;
    const now = this.now();
    for (const l of this.#listeners) await l(now);
    return now;
  }

  onAdvance(listener: (now: Date) => void | Promise<void>): void {
    this.#listeners.push(listener);
  }
}

/** Things scheduled for a sandbox time (shipping, delivery, recharge results), run on `advance`. */
export class Timeline {
  readonly #due: { atMs: number; seq: number; run: () => void | Promise<void> }[] = [];
  #seq = 0;

  at(when: Date, run: () => void | Promise<void>): void {
    this.#due.push({ atMs: when.getTime(), seq: this.#seq++, run });
  }

  /** Runs everything due by `now`, oldest first. */
  async runDue(now: Date): Promise<number> {
    let ran = 0;
    for (;;) {
      this.#due.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      const next = this.#due[0];
      if (!next || next.atMs > now.getTime()) return ran;
      this.#due.shift();
      await next.run();
      ran++;
    }
  }

  get size(): number {
    return this.#due.length;
  }
}
