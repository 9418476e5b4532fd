import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Payload, type QueueKey, queues } from './registry.ts';

/** Adds validated jobs to the hub's queues (opened on first use, shared by every request). */
export class QueueProducer {
  readonly #open = new Map<QueueKey, Queue>();
  readonly #connection: Redis;
  readonly #prefix: string;

  readonly #onClose: () => void;

  constructor(connection: Redis, prefix: string, onClose: () => void = () => undefined) {
    this.#connection = connection;
    this.#prefix = prefix;
    this.#onClose = onClose;
  }

  /** Adds a job; a `jobId` already waiting or running is not added twice (a finished one is replaced). */
  async add<K extends QueueKey>(key: K, payload: Payload<K>, opts: { jobId?: string; attempts?: number; delay?: number; fresh?: boolean } = {}): Promise<string | undefined> {
    const data = queues[key].payload.parse(payload);
    const q = this.#queue(key);
    // A job id never used before (`fresh`) has no finished job to clear: skip the lookups.
    if (opts.jobId && !opts.fresh) {
      // A finished job keeps its id for a while; a new request for the same work must still run.
      const old = await q.getJob(opts.jobId);
      if (old && ((await old.isCompleted()) || (await old.isFailed()))) await old.remove();
    }
    const job = await q.add(key, data, { jobId: opts.jobId, delay: opts.delay, attempts: opts.attempts ?? 5, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: 1_000, removeOnFail: 5_000 });
    return job.id;
  }

  /** Adds jobs in one round trip; an id BullMQ still keeps (waiting, running or finished) is not added again. */
  async addBulk<K extends QueueKey>(key: K, jobs: { payload: Payload<K>; jobId: string }[], opts: { attempts?: number; delay?: number } = {}): Promise<void> {
    const q = this.#queue(key);
    await q.addBulk(jobs.map((j) => ({
      name: key, data: queues[key].payload.parse(j.payload),
      opts: { jobId: j.jobId, delay: opts.delay, attempts: opts.attempts ?? 5, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: 1_000, removeOnFail: 5_000 },
    })));
  }

  #queue(key: QueueKey): Queue {
    let q = this.#open.get(key);
    if (!q) {
      q = new Queue(queues[key].name, { connection: this.#connection, prefix: this.#prefix });
      // Outages are reported by the shared connection's own error handler and by the failing
      // call; without a listener BullMQ would print each reconnect error raw to stderr.
      q.on('error', () => undefined);
      this.#open.set(key, q);
    }
    return q;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#open.values()].map((q) => q.close()));
    this.#onClose();
  }
}
