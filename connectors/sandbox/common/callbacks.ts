import type { Faults } from './faults.ts';
import { sleep } from './faults.ts';

/** A callback the sandbox owes the hub (a push, a webhook, a recharge result). */
export interface Callback {
  url: string;
  headers: Record<string, string>;
  /** Built at send time so signatures and timestamps are fresh on each attempt. */
  body: () => string;
  /** Whether the hub's answer counts as received (e.g. top-up providers need the body `success`). */
  accepted: (status: number, body: string) => boolean;
}

/** One attempt as the sandbox made it, for tests and `GET /sandbox/callbacks`. */
export interface CallbackAttempt {
  url: string;
  status: number | null;
  at: string;
  duplicate: boolean;
}

/**
 * Sends callbacks the way real suppliers do: at least once, retried until accepted (up to
 * `maxAttempts`), and with the injected faults: duplicated, reordered, delayed or dropped.
 */
export class CallbackSender {
  readonly attempts: CallbackAttempt[] = [];
  readonly #pending: Callback[] = [];
  readonly #faults: Faults;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: number;

  constructor(faults: Faults, opts: { maxAttempts?: number; retryDelayMs?: number } = {}) {
    this.#faults = faults;
    this.#maxAttempts = opts.maxAttempts ?? 8;
    this.#retryDelayMs = opts.retryDelayMs ?? 50;
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
      if (this.#faults.dropCallback()) continue;
      const copies = this.#faults.duplicateCallback() ? 2 : 1;
      for (let i = 0; i < copies; i++) sends.push(this.#deliver(cb, i > 0, f.delayMs));
    }
    await Promise.all(sends);
  }

  async #deliver(cb: Callback, duplicate: boolean, delayMs: number): Promise<void> {
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
      this.attempts.push({ url: cb.url, status, at: new Date().toISOString(), duplicate });
      if (status !== null && cb.accepted(status, text)) return;
      await sleep(this.#retryDelayMs * attempt);
    }
  }
}
