import { type JobSchedulerTemplateOptions, type Queue, type RepeatOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Logger } from '../observability/logger.ts';
import { type Payload, type QueueKey } from './registry.ts';
import { openQueue } from './worker-host.ts';

/** The queues that have job schedulers. */
type ScheduledQueue = Extract<QueueKey, 'maintenance' | 'inboundEvent' | 'catalogSync'>;

/** One BullMQ job scheduler the workers keep in Redis: its id (unique in its queue), when, and the job it makes. */
export type Schedule = {
  [K in ScheduledQueue]: {
    queue: K;
    id: string;
    repeat: Pick<RepeatOptions, 'every' | 'pattern' | 'tz'>;
    job: { name: string; data: Payload<K>; opts?: JobSchedulerTemplateOptions };
  };
}[ScheduledQueue];

/**
 * Every job scheduler of the hub: the reconcilers and housekeeping (maintenance), each polled
 * supplier's message pool, and each supplier's catalog syncs (when this worker schedules them).
 */
export function hubSchedules(
  config: Pick<Config, 'maintenanceEveryMs' | 'reconcileEveryMs' | 'boardRefreshEveryMs' | 'jdOrderPollEveryMs' | 'catalogIncrementalEveryMs' | 'catalogFullSyncCron'>,
  suppliers: { polled: readonly string[]; catalogSynced: readonly string[] },
): Schedule[] {
  const maintenance = (task: Payload<'maintenance'>['task'], every: number): Schedule => ({ queue: 'maintenance', id: task, repeat: { every }, job: { name: task, data: { task } } });
  return [
    maintenance('expire-webhook-secrets', config.maintenanceEveryMs),
    maintenance('prune-catalog-changes', config.maintenanceEveryMs),
    maintenance('prune-staff-sessions', config.maintenanceEveryMs),
    maintenance('wake-due-runs', config.reconcileEveryMs),
    maintenance('requeue-webhook-deliveries', config.reconcileEveryMs),
    maintenance('requeue-inbound-events', config.reconcileEveryMs),
    maintenance('reprice-lagging-malls', config.reconcileEveryMs),
    maintenance('publish-catalog-load', config.reconcileEveryMs),
    maintenance('refresh-board', config.boardRefreshEveryMs),
    // JD has no webhooks: its order messages are read from the message pool.
    ...suppliers.polled.map((supplierId): Schedule => ({
      queue: 'inboundEvent', id: `poll-${supplierId}`, repeat: { every: config.jdOrderPollEveryMs },
      job: { name: 'inboundEvent', data: { task: 'poll', supplierId }, opts: { attempts: 1 } },
    })),
    // Incremental syncs all day, a full sync nightly (it also catches offers that vanished silently).
    ...suppliers.catalogSynced.flatMap((supplierId): Schedule[] => [
      { queue: 'catalogSync', id: `incremental-${supplierId}`, repeat: { every: config.catalogIncrementalEveryMs }, job: { name: 'catalogSync', data: { supplierId, mode: 'incremental' }, opts: { attempts: 1 } } },
      {
        queue: 'catalogSync', id: `full-${supplierId}`, repeat: { pattern: config.catalogFullSyncCron, tz: 'Asia/Shanghai' },
        job: { name: 'catalogSync', data: { supplierId, mode: 'full' }, opts: { attempts: 5, backoff: { type: 'exponential', delay: 60_000 } } },
      },
    ]),
  ];
}

/** Opens (once) the queue a schedule lives in. */
type QueueOf = (key: ScheduledQueue) => Queue;

/**
 * Upserts schedulers: all of them (`all`, at start, so a changed interval takes effect), or only
 * those Redis no longer has (the scheduler, or the next job it made, is gone). Upserting is keyed
 * by the scheduler id, so several workers restoring the same one at once leave one scheduler;
 * at worst a reconciler runs once more than planned, and they are all idempotent. The check
 * leaves an existing scheduler alone: an upsert replaces its pending job (removed, added again),
 * churn every worker would cause on each check for nothing. Returns the ids upserted.
 */
export async function ensureSchedules(queueOf: QueueOf, schedules: readonly Schedule[], opts: { all?: boolean } = {}): Promise<string[]> {
  const wanted = opts.all ? schedules : (await Promise.all(schedules.map(async (s) => ((await isScheduled(queueOf(s.queue), s.id)) ? null : s)))).filter((s) => s !== null);
  // Finished runs are trimmed as the producer's jobs are: a scheduler firing every few seconds
  // would otherwise keep every run it ever made in Redis.
  for (const s of wanted) await queueOf(s.queue).upsertJobScheduler(s.id, s.repeat, { ...s.job, opts: { removeOnComplete: 100, removeOnFail: 1_000, ...s.job.opts } });
  return wanted.map((s) => s.id);
}

/** Whether the scheduler exists and its next job too (a scheduler without its job never fires again). */
async function isScheduled(queue: Queue, id: string): Promise<boolean> {
  const scheduler = await queue.getJobScheduler(id);
  if (!scheduler?.next) return false;
  // BullMQ names a scheduler's jobs `repeat:<id>:<millis>`; the next one exists from when it is
  // made until it is removed after it ran, and by then (moved to active) the one after it exists.
  if (await queue.getJob(`repeat:${id}:${scheduler.next}`)) return true;
  // Between the two reads it may have run and been removed: alive if it has moved on since.
  const again = await queue.getJobScheduler(id);
  return again?.next != null && again.next !== scheduler.next;
}

/**
 * Keeps a worker's job schedulers in Redis. They are created when the worker starts, but Redis
 * may lose them (FLUSHALL, failover to an empty replica) and nothing in Redis would bring them
 * back: the reconcilers that are the hub's safety nets would stop for good. So each worker checks
 * them on a process-local timer (a BullMQ job could be lost with them) and restores the missing
 * ones, reported by a warning and `hub_job_schedules_restored_total`. While Redis is unreachable a
 * check waits (the worker's connection queues commands until it reconnects) or fails: a warning,
 * and no second check starts while one is still out.
 */
export class ScheduleKeeper {
  readonly #schedules: readonly Schedule[];
  readonly #logger: Logger;
  readonly #restored: Counter<'scheduler'>;
  readonly #open = new Map<ScheduledQueue, Queue>();
  readonly #queueOf: QueueOf;
  #timer: NodeJS.Timeout | null = null;
  #checking = false;
  #warnedSlow = false;
  #closed = false;

  constructor(opts: { connection: Redis; prefix: string; schedules: readonly Schedule[]; logger: Logger; registry: Registry }) {
    this.#schedules = opts.schedules;
    this.#logger = opts.logger;
    this.#queueOf = (key) => {
      let q = this.#open.get(key);
      if (!q) {
        q = openQueue(key, opts.connection, opts.prefix);
        // The connection's own error handler reports outages; without a listener BullMQ prints them.
        q.on('error', (err) => this.#logger.debug({ err: err.message, queue: key }, 'schedule queue error'));
        this.#open.set(key, q);
      }
      return q;
    };
    // One registry per process, but a process may start more than one worker (tests do).
    const name = 'hub_job_schedules_restored_total';
    this.#restored = (opts.registry.getSingleMetric(name) as Counter<'scheduler'> | undefined) ?? new Counter({
      name, help: 'Job schedulers a worker found missing in Redis (Redis lost its data) and created again', labelNames: ['scheduler'], registers: [opts.registry],
    });
  }

  /** Upserts every schedule (at start: picks up changed intervals). */
  async upsertAll(): Promise<void> {
    await ensureSchedules(this.#queueOf, this.#schedules, { all: true });
  }

  /** Restores the schedules Redis lost; returns their ids. */
  async restoreMissing(): Promise<string[]> {
    const restored = await ensureSchedules(this.#queueOf, this.#schedules);
    if (restored.length) {
      for (const id of restored) this.#restored.inc({ scheduler: id });
      this.#logger.warn({ schedulers: restored }, 'job schedules restored: Redis had lost them');
    }
    return restored;
  }

  /** Checks every `everyMs` (HUB_SCHEDULE_CHECK_EVERY_MS) until closed. */
  start(everyMs: number): void {
    this.#timer ??= setInterval(() => this.#tick(), everyMs);
  }

  #tick(): void {
    if (this.#checking) {
      if (!this.#warnedSlow) this.#logger.warn('job schedule check still waiting for Redis; skipping this one');
      this.#warnedSlow = true;
      return;
    }
    this.#checking = true;
    this.restoreMissing()
      .catch((err: unknown) => {
        if (!this.#closed) this.#logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'job schedule check failed');
      })
      .finally(() => {
        this.#checking = false;
        this.#warnedSlow = false;
      });
  }

  /** Stops checking and closes its queues (the connection is the caller's). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.all([...this.#open.values()].map((q) => q.close()));
  }
}
