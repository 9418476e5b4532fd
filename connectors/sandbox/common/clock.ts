/** Sandbox time: real time plus an offset that tests move forward to drive order lifecycles. */
export class SandboxClock {
  #offsetMs = 0;
  readonly #listeners: ((now: Date) => void | Promise<void>)[] = [];

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
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
