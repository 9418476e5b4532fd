import type { Faults } from './faults.ts';
import { sleep } from './faults.ts';

/** What a callback is about, for the sandbox's own record of what it sent (`GET /{id}/sandbox/callbacks`). */
export interface CallbackAbout {
  /** The supplier's event name: a TOP topic, a brand event type, a recharge result. */
  event: string;
  /** The hub's reference it concerns (order or after-sale reference), when the callback names one. */
  reference?: string | null;
  /** The supplier's id of the order (or after-sale) it concerns. */
  orderId?: string | null;
}

/** A callback the sandbox owes the hub (a push, a webhook, a recharge result). */
export interface Callback {
  url: string;
  headers: Record<string, string>;
  /** Built at send time so signatures and timestamps are fresh on each attempt. */
  body: () => string;
  /** Whether the hub's answer counts as received (e.g. top-up providers need the body `success`). */
  accepted: (status: number, body: string) => boolean;
  about?: CallbackAbout;
}

/** One attempt as the sandbox made it, for tests and `GET /sandbox/callbacks`. */
export interface CallbackAttempt {
  url: string;
  status: number | null;
  at: string;
  duplicate: boolean;
}

/**
 * One callback delivery (a duplicate made by the fault is a delivery of its own) and how it went:
 * what the hub answered last and after how many attempts. Times are wall-clock (when it was
 * sent); `sandboxTime` is the sandbox clock when it went out (the business time of the step).
 */
export interface CallbackRecord {
  seq: number;
  event: string;
  reference: string | null;
  orderId: string | null;
  url: string;
  sentAt: string;
  sandboxTime: string | null;
  lastAttemptAt: string | null;
  /** The hub's last HTTP status; null when no answer came (connection refused, timeout) or nothing was sent. */
  status: number | null;
  attempts: number;
  /** sending, accepted, gave-up (maxAttempts answered without acceptance) or dropped (the dropRate fault). */
  outcome: 'sending' | 'accepted' | 'gave-up' | 'dropped';
  duplicate: boolean;
}

/** How many attempts and deliveries a sender remembers (in memory; the oldest go first). */
export const CALLBACKS_KEPT = 500;

/**
 * Sends callbacks the way real suppliers do: at least once, retried until accepted (up to
 * `maxAttempts`), and with the injected faults: duplicated, reordered, delayed or dropped.
 */
export class CallbackSender {
  /** The last CALLBACKS_KEPT attempts, oldest first. */
  readonly attempts: CallbackAttempt[] = [];
  readonly #records: CallbackRecord[] = [];
  readonly #pending: Callback[] = [];
  readonly #faults: Faults;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: number;
  readonly #clock: { now(): Date } | undefined;
  #seq = 0;

  constructor(faults: Faults, opts: { maxAttempts?: number; retryDelayMs?: number; clock?: { now(): Date } } = {}) {
    this.#faults = faults;
    this.#maxAttempts = opts.maxAttempts ?? 8;
    this.#retryDelayMs = opts.retryDelayMs ?? 50;
    this.#clock = opts.clock;
  }

  /** The last CALLBACKS_KEPT deliveries, newest first. */
  records(): CallbackRecord[] {
    return this.#records.toReversed();
  }

  /** Queues a callback; `flush` sends it (sandboxes flush after each state change). */
  enqueue(cb: Callback): void {
    this.#pending.push(cb);
  }

  /** Sends everything queued, applying the callback faults. Resolves when all attempts are done. */
  async flush(): Promise<void> {
    const f = this.#faults.config.callbacks;
    const batch = this.#pending.splice(0);
    if (f.reorder) batch.reverse();
    const sends: Promise<void>[] = [];
    for (const cb of batch) {
      if (this.#faults.dropCallback()) {
        this.#record(cb, false).outcome = 'dropped';
        continue;
      }
      const copies = this.#faults.duplicateCallback() ? 2 : 1;
      for (let i = 0; i < copies; i++) sends.push(this.#deliver(cb, i > 0, f.delayMs));
    }
    await Promise.all(sends);
  }

  #record(cb: Callback, duplicate: boolean): CallbackRecord {
    const rec: CallbackRecord = {
      seq: ++this.#seq,
      event: cb.about?.event ?? 'callback',
      reference: cb.about?.reference ?? null,
      orderId: cb.about?.orderId ?? null,
      url: cb.url,
      sentAt: new Date().toISOString(),
      sandboxTime: this.#clock?.now().toISOString() ?? null,
      lastAttemptAt: null,
      status: null,
      attempts: 0,
      outcome: 'sending',
      duplicate,
    };
    keep(this.#records, rec);
    return rec;
  }

  async #deliver(cb: Callback, duplicate: boolean, delayMs: number): Promise<void> {
    const rec = this.#record(cb, duplicate);
    if (delayMs) await sleep(delayMs);
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      let status: number | null = null;
      let text = '';
      try {
        const res = await fetch(cb.url, { method: 'POST', headers: { 'content-type': 'application/json', ...cb.headers }, body: cb.body(), signal: AbortSignal.timeout(5_000) });
        status = res.status;
        text = await res.text();
      } catch {
        status = null;
      }
      const at = new Date().toISOString();
      keep(this.attempts, { url: cb.url, status, at, duplicate });
      Object.assign(rec, { status, attempts: attempt, lastAttemptAt: at });
      if (status !== null && cb.accepted(status, text)) {
        rec.outcome = 'accepted';
        return;
      }
      await sleep(this.#retryDelayMs * attempt);
    }
    rec.outcome = 'gave-up';
  }
}

function keep<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > CALLBACKS_KEPT) list.splice(0, list.length - CALLBACKS_KEPT);
}
