import type { EntityManager } from '@mikro-orm/postgresql';
import { claimOutboxJobs, markCommittedJobsDispatched, markOutboxJobsDispatched, type OutboxJob } from './job-outbox.ts';
import type { QueueProducer } from './producer.ts';
import { type QueueKey, queues } from './registry.ts';

const BY_NAME = new Map(Object.keys(queues).map((k) => [k, k as QueueKey]));

/**
 * Moves jobs written to the outbox (in the transaction of the change that needs them) onto their
 * BullMQ queues, oldest first, one bulk per queue, and marks them dispatched. Rows are locked
 * (skip locked), so several relays share the work; a row relayed twice is one job (its job id: a
 * job still kept under it, waiting or finished, is not added again). Returns the rows moved: a
 * full `limit` means more may be waiting.
 */
export async function relayOutbox(em: EntityManager, producer: QueueProducer, limit = 200, minAgeMs = 0): Promise<number> {
  return em.fork().transactional(async (tx) => {
    // Rows younger than minAgeMs are being dispatched by the request that wrote them.
    const rows = await claimOutboxJobs(tx, limit, minAgeMs);
    for (const r of rows) if (!BY_NAME.has(r.queue)) throw new Error(`outbox row ${r.id} names unknown queue ${r.queue}`);
    for (const [queue, jobs] of Map.groupBy(rows, (r) => r.queue)) {
      await producer.addBulk(BY_NAME.get(queue) as QueueKey, jobs.map((r) => ({ payload: r.payload as never, jobId: r.job_id })), { attempts: 1 });
    }
    if (rows.length) await markOutboxJobsDispatched(tx, rows.map((r) => r.id));
    return rows.length;
  });
}

/** Jobs per addBulk: one Redis round trip. */
const BULK = 100;

/**
 * Puts jobs that requests have just committed to the outbox onto their queues, off the request
 * path: jobs of concurrent requests are gathered for `lingerMs` (or one event-loop turn, or until
 * 100 wait) and added in one bulk per queue; the rows added are marked dispatched together every
 * `markEveryMs` (or 500 rows), in one statement (no scan of the outbox, no lock shared with other
 * requests). The outbox row is the durable part: if Redis or this process fails here, the rows
 * stay pending and the relay moves them (it leaves rows younger than its minimum age alone, longer
 * than a mark waits; a row it moves twice is one job). With `leaveToRelay` it does nothing and the
 * workers' relay moves every row (HUB_JOB_DISPATCH=relay).
 *
 * Added at 1 000 orders/s, per-request adds and updates were two more round trips on the hottest
 * path, and a mark per bulk was still a commit every few milliseconds. The linger (10 ms by
 * default) is for the API's heap: at that rate a commit holds one or two orders, and each bulk is
 * an ioredis pipeline that copies every BullMQ script onto itself (about 9 KB). Measured, those
 * pipelines and the commands they hold ended up in the old generation, which grew by 9-10 MB/s
 * between full GCs; with the linger, about 3.6 MB/s, and the API used 0.52-0.64 cores instead of
 * 0.65-0.70.
 */
export class CommittedJobDispatcher {
  readonly #em: EntityManager;
  readonly #producer: QueueProducer;
  readonly #onError: (err: unknown) => void;
  readonly #markEveryMs: number;
  readonly #lingerMs: number;
  readonly #leaveToRelay: boolean;
  #pending: (OutboxJob & { rowId: string })[] = [];
  #flushing: Promise<void> | null = null;
  #scheduled: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** Rows on their queues, not yet marked dispatched. */
  #added: string[] = [];
  #markTimer: NodeJS.Timeout | null = null;
  #marking: Promise<void> | null = null;

  constructor(em: EntityManager, producer: QueueProducer, onError: (err: unknown) => void, opts: { markEveryMs?: number; lingerMs?: number; leaveToRelay?: boolean } = {}) {
    this.#em = em;
    this.#producer = producer;
    this.#onError = onError;
    this.#markEveryMs = opts.markEveryMs ?? 200;
    this.#lingerMs = opts.lingerMs ?? 0;
    this.#leaveToRelay = opts.leaveToRelay ?? false;
  }

  /** Queues the jobs for the next flush (returns at once); with `leaveToRelay`, leaves them to the relay. */
  dispatch(jobs: readonly (OutboxJob & { rowId: string })[]): void {
    if (jobs.length === 0 || this.#leaveToRelay) return;
    for (const j of jobs) if (!BY_NAME.has(j.queue)) throw new Error(`outbox row ${j.rowId} names unknown queue ${j.queue}`);
    this.#pending.push(...jobs);
    if (this.#pending.length >= BULK) void this.#drain();
    else this.#scheduled ??= this.#lingerMs > 0 ? setTimeout(() => void this.#drain(), this.#lingerMs) : setImmediate(() => void this.#drain());
  }

  /** Waits until everything handed over so far is on its queue and marked (or left to the relay). */
  async flush(): Promise<void> {
    while (this.#flushing || this.#pending.length) await (this.#flushing ?? this.#drain());
    while (this.#marking || this.#added.length) await (this.#marking ?? this.#mark());
  }

  #unschedule(): void {
    const s = this.#scheduled;
    this.#scheduled = null;
    if (!s) return;
    if ('refresh' in s) clearTimeout(s);
    else clearImmediate(s);
  }

  /** Marks the rows added so far dispatched, in one statement. */
  #mark(): Promise<void> {
    if (this.#markTimer) clearTimeout(this.#markTimer);
    this.#markTimer = null;
    if (this.#marking) return this.#marking;
    this.#marking = (async () => {
      while (this.#added.length) {
        const ids = this.#added.splice(0, 1000);
        try {
          // Rows the relay holds right now are skipped, not waited for (see the store function).
          await markCommittedJobsDispatched(this.#em, ids);
        } catch (err) {
          this.#onError(err);
        }
      }
    })().finally(() => {
      this.#marking = null;
    });
    return this.#marking;
  }

  async #drain(): Promise<void> {
    this.#unschedule();
    if (this.#flushing) return this.#flushing;
    this.#flushing = (async () => {
      while (this.#pending.length) {
        const batch = this.#pending.splice(0, BULK);
        try {
          const byQueue = Map.groupBy(batch, (j) => j.queue);
          for (const [queue, jobs] of byQueue) {
            await this.#producer.addBulk(BY_NAME.get(queue) as QueueKey, jobs.map((j) => ({ payload: j.payload as never, jobId: j.jobId })), { attempts: 1 });
          }
          this.#added.push(...batch.map((j) => j.rowId));
          if (this.#added.length >= 500) void this.#mark();
          else this.#markTimer ??= setTimeout(() => void this.#mark(), this.#markEveryMs);
        } catch (err) {
          this.#onError(err);
        }
      }
    })().finally(() => {
      this.#flushing = null;
      // Jobs handed over after the loop's last look, by a caller that found it still running.
      if (this.#pending.length) this.#scheduled ??= setImmediate(() => void this.#drain());
    });
    return this.#flushing;
  }
}
