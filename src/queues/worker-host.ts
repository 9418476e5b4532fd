import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { isPermanent } from '../domain/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { type Payload, type QueueKey, queues } from './registry.ts';

/** A processor for one queue: validated payload in, result out. */
export type Processor<K extends QueueKey> = (payload: Payload<K>, job: Job) => Promise<unknown>;

/** Where every job passes before it runs (IntakeYield: in turn and with rests during an intake burst). */
export interface JobGate {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** True while the gate holds work back: work it sizes itself is then best cut small. */
  readonly yielding?: boolean;
}

interface HostOptions { connection: Redis; prefix: string; logger: Logger; metrics: Metrics; concurrency: number; gate?: JobGate }

/**
 * The one registration point for workers: validates payloads against the registry, records metrics
 * and logs, turns non-retryable errors into BullMQ's UnrecoverableError (so BullMQ stops retrying),
 * and closes every worker gracefully on shutdown.
 */
export class WorkerHost {
  readonly #workers: Worker[] = [];
  readonly #opts: HostOptions;

  constructor(opts: HostOptions) {
    this.#opts = opts;
  }

  register<K extends QueueKey>(key: K, processor: Processor<K>, opts: { concurrency?: number } = {}): Worker {
    const def = queues[key];
    const { logger, metrics, gate } = this.#opts;
    const worker = new Worker(
      def.name,
      async (job) => {
        const parsed = def.payload.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid ${key} payload: ${parsed.error.message}`);
        try {
          const result = await (gate ? gate.run(() => processor(parsed.data as Payload<K>, job)) : processor(parsed.data as Payload<K>, job));
          metrics.jobsProcessed.inc({ queue: key, outcome: 'completed' });
          return result;
        } catch (err) {
          const permanent = isPermanent(err);
          metrics.jobsProcessed.inc({ queue: key, outcome: permanent ? 'failed_permanently' : 'failed' });
          logger.warn({ err, queue: key, jobId: job.id, attempt: job.attemptsMade + 1 }, 'job failed');
          if (permanent) throw new UnrecoverableError((err as Error).message);
          throw err;
        }
      },
      { connection: this.#opts.connection.duplicate({ maxRetriesPerRequest: null }), prefix: this.#opts.prefix, concurrency: opts.concurrency ?? this.#opts.concurrency },
    );
    worker.on('error', (err) => logger.error({ err, queue: key }, 'worker error'));
    this.#workers.push(worker);
    return worker;
  }

  /** Stops taking jobs and waits for running ones to finish. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.close()));
  }
}

/** A producer handle for one queue. */
export function openQueue<K extends QueueKey>(key: K, connection: Redis, prefix: string): Queue {
  return new Queue(queues[key].name, { connection, prefix });
}
