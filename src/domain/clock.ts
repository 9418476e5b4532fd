/** The hub's only source of time: production uses the system clock, tests move a manual one. */
export interface Clock {
  now(): Date;
}

/** Wall-clock time. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests of delays, staleness and expiry. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(start: Date | string = '2026-11-23T02:00:00Z') {
    this.#ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
  set(at: Date | string): void {
    this.#ms = new Date(at).getTime();
  }
}
