import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../domain/clock.ts';
import type { HubDeps } from '../../deps.ts';
import { dispatchMallEvents, type DueDelivery } from '../../mall-webhooks/webhook-deliveries.ts';
import { type DeliverDeps, type DeliverOutcome, deliverWebhooks } from '../../mall-webhooks/deliver.ts';
import type { QueueProducer } from '../producer.ts';
import type { JobGate } from '../worker-host.ts';
import type { Payload } from '../registry.ts';

/** The next attempt of a batch of one mall's deliveries (the delivery rows decide whether there is anything to do). */
export function processWebhookDelivery(payload: Payload<'webhookDelivery'>, deps: DeliverDeps): Promise<DeliverOutcome[]> {
  return deliverWebhooks(payload.deliveries.map((d) => ({ ...d, mallId: payload.mallId })), deps);
}

/** Job id of a batch, from its deliveries and their attempt counts: the same batch added twice is one job; a next attempt is a new one. */
export function webhookJobId(batch: readonly DueDelivery[]): string {
  const h = createHash('sha256');
  for (const d of batch) h.update(`${d.deliveryId}:${d.attempt};`);
  return `whb-${h.digest('base64url').slice(0, 22)}`;
}

/**
 * Due deliveries as queue jobs: grouped by mall (a slow mall endpoint holds up only its own
 * batches), in order, at most `batchSize` a job.
 */
export function webhookBatches(due: readonly DueDelivery[], batchSize: number): { payload: Payload<'webhookDelivery'>; jobId: string }[] {
  const byMall = new Map<string, DueDelivery[]>();
  for (const d of due) {
    const list = byMall.get(d.mallId);
    if (list) list.push(d);
    else byMall.set(d.mallId, [d]);
  }
  const jobs: { payload: Payload<'webhookDelivery'>; jobId: string }[] = [];
  for (const [mallId, list] of byMall) {
    for (let i = 0; i < list.length; i += batchSize) {
      const batch = list.slice(i, i + batchSize);
      jobs.push({ payload: { mallId, deliveries: batch.map(({ deliveryId, attempt }) => ({ deliveryId, attempt })) }, jobId: webhookJobId(batch) });
    }
  }
  return jobs;
}

/**
 * Queues attempts, now or after `delayMs`. `fresh`: attempts counts never queued before (new
 * deliveries, retries), added in one round trip; otherwise (replays, re-enables, the reconciler)
 * a finished job with the same id is cleared first so the work still runs.
 */
export async function enqueueWebhookDeliveries(producer: QueueProducer, due: readonly DueDelivery[], opts: { batchSize: number; delayMs?: number; fresh?: boolean }): Promise<void> {
  const jobs = webhookBatches(due, opts.batchSize);
  if (jobs.length === 0) return;
  if (opts.fresh) return producer.addBulk('webhookDelivery', jobs, { attempts: 3, delay: opts.delayMs });
  for (const j of jobs) await producer.add('webhookDelivery', j.payload, { jobId: j.jobId, delay: opts.delayMs, attempts: 3 });
}

/** Events per dispatch round and deliveries per job while the worker yields to an intake burst. */
const YIELDING_ROUND = 50;
const YIELDING_BATCH = 25;

/**
 * Moves new mall events into deliveries and queues their first attempts, `limit` at a time until
 * none are left; returns how many events. Each round passes the gate. While the worker yields to
 * an intake burst, rounds and delivery jobs are cut small: each piece of work then holds the
 * database for a few milliseconds, not the tens a round of 500 or a batch of 200 took, which
 * showed as spikes in intake's p99.
 */
export async function dispatchWebhooks(deps: { em: EntityManager; clock: Clock; queues: QueueProducer; batchSize: number; limit?: number; gate?: JobGate }): Promise<number> {
  const round = async () => {
    const small = deps.gate?.yielding === true;
    const limit = small ? Math.min(YIELDING_ROUND, deps.limit ?? 500) : (deps.limit ?? 500);
    const { events, jobs } = await dispatchMallEvents(deps.em, deps.clock, limit);
    await enqueueWebhookDeliveries(deps.queues, jobs, { batchSize: small ? Math.min(YIELDING_BATCH, deps.batchSize) : deps.batchSize, fresh: true });
    return { events, more: events === limit };
  };
  let total = 0;
  for (;;) {
    const { events, more } = await (deps.gate ? deps.gate.run(round) : round());
    total += events;
    if (!more) return total;
  }
}

/** Delivery deps from the hub's: config timeout, schedule and batch size, sandbox mode; a fresh unit of work per job. */
export function webhookDeliverDeps(deps: Pick<HubDeps, 'orm' | 'clock' | 'crypto' | 'config' | 'queues' | 'webhookAgent'>): DeliverDeps {
  const { webhook } = deps.config;
  return {
    em: deps.orm.em.fork(),
    clock: deps.clock,
    crypto: deps.crypto,
    allowPrivate: deps.config.sandbox,
    timeoutMs: webhook.timeoutMs,
    parallel: webhook.parallel,
    retryScheduleMs: webhook.retryScheduleMs,
    agent: deps.webhookAgent,
    enqueue: (jobs, delayMs) => enqueueWebhookDeliveries(deps.queues, jobs, { batchSize: webhook.batchSize, delayMs, fresh: true }),
  };
}
