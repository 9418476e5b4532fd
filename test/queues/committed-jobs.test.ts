import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeBound } from '../../src/persistence/bound-query.ts';
import { CommittedJobDispatcher, relayOutbox } from '../../src/queues/outbox-relay.ts';
import { QueueProducer } from '../../src/queues/producer.ts';
import { queues } from '../../src/queues/registry.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';
import { testRedis } from '../support/redis.ts';

let hub: TestHub;
const redis = testRedis();
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.close();
  await redis.close();
});

/** The real producer, counting its round trips to Redis. */
class CountingProducer extends QueueProducer {
  bulks: number[] = [];
  override async addBulk(...args: Parameters<QueueProducer['addBulk']>): Promise<void> {
    this.bulks.push(args[1].length);
    return super.addBulk(...args);
  }
}

/** Outbox rows as a committed order leaves them: jobs of the workflow queue, not yet dispatched. */
async function outboxRows(n: number, tag: string) {
  const rows = await executeBound<{ id: string; job_id: string }>(hub.deps.orm.em.fork(),
    `insert into job_outbox (queue, job_id, payload)
     select 'workflow', ? || '-' || i, jsonb_build_object('runId', ? || '-' || i) from generate_series(1, ?) i returning id::text, job_id`,
    [tag, tag, n]);
  return rows.map((r) => ({ queue: 'workflow', jobId: r.job_id, payload: { runId: r.job_id }, rowId: r.id }));
}

async function pendingRows(ids: string[]): Promise<number> {
  const [row] = await executeBound<{ n: number }>(hub.deps.orm.em.fork(), 'select count(*)::int n from job_outbox where id = any(?::bigint[]) and dispatched_at is null', [ids]);
  return row?.n ?? -1;
}

describe('jobs committed by requests', () => {
  it('are gathered for the linger time and added to their queue in one round trip, then marked dispatched', async () => {
    const producer = new CountingProducer(redis.redis, redis.prefix);
    // A linger far above the requests' spacing: a loaded machine (the suite runs files in parallel) delays timers by tens of ms.
    const dispatcher = new CommittedJobDispatcher(hub.deps.orm.em.fork(), producer, (err) => { throw err; }, { lingerMs: 1_000, markEveryMs: 20 });
    const jobs = await outboxRows(6, 'linger');
    // Six requests commit one after another within the linger time.
    for (const j of jobs) {
      dispatcher.dispatch([j]);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(producer.bulks).toEqual([]);
    await dispatcher.flush();
    expect(producer.bulks).toEqual([6]);
    const queue = new Queue(queues.workflow.name, { connection: redis.redis, prefix: redis.prefix });
    try {
      const found = await Promise.all(jobs.map((j) => queue.getJob(j.jobId)));
      expect(found.map((j) => j?.data)).toEqual(jobs.map((j) => j.payload));
    } finally {
      await queue.close();
    }
    expect(await pendingRows(jobs.map((j) => j.rowId))).toBe(0);
  });

  it('does not wait out the linger once a full bulk is waiting', async () => {
    const producer = new CountingProducer(redis.redis, redis.prefix);
    const dispatcher = new CommittedJobDispatcher(hub.deps.orm.em.fork(), producer, (err) => { throw err; }, { lingerMs: 60_000, markEveryMs: 20 });
    const jobs = await outboxRows(130, 'full');
    dispatcher.dispatch(jobs.slice(0, 100));
    dispatcher.dispatch(jobs.slice(100));
    // The first 100 go at once and the other 30 right after them, not a minute later.
    const deadline = Date.now() + 5_000;
    while (producer.bulks.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(producer.bulks).toEqual([100, 30]);
    await dispatcher.flush();
    expect(await pendingRows(jobs.map((j) => j.rowId))).toBe(0);
  });
});

describe('jobs left to the relay (HUB_JOB_DISPATCH=relay)', () => {
  it('are not added by the API; the relay moves them in bulks, and a row relayed twice is one job', async () => {
    const relayHub = await startTestHub({ env: { HUB_JOB_DISPATCH: 'relay' } });
    const queue = new Queue(queues.workflow.name, { connection: redis.redis, prefix: relayHub.config.redisPrefix });
    try {
      const sqlOf = relayHub.deps.orm.em.fork();
      const jobs = (await executeBound<{ id: string; job_id: string }>(sqlOf,
        `insert into job_outbox (queue, job_id, payload)
         select 'workflow', 'relay-' || i, jsonb_build_object('runId', 'relay-' || i) from generate_series(1, 1200) i returning id::text, job_id`, []))
        .map((r) => ({ queue: 'workflow', jobId: r.job_id, payload: { runId: r.job_id }, rowId: r.id }));
      relayHub.deps.committedJobs.dispatch(jobs);
      await relayHub.deps.committedJobs.flush();
      expect(await queue.count()).toBe(0);
      const pending = async () => (await executeBound<{ n: number }>(sqlOf, 'select count(*)::int n from job_outbox where dispatched_at is null', []))[0]?.n;
      expect(await pending()).toBe(1200);

      const producer = new CountingProducer(redis.redis, relayHub.config.redisPrefix);
      const moved = [];
      for (let n = 500; n === 500;) moved.push(n = await relayOutbox(relayHub.deps.orm.em, producer, 500));
      expect(moved).toEqual([500, 500, 200]);
      expect(producer.bulks).toEqual([500, 500, 200]);
      expect(await pending()).toBe(0);
      expect(await queue.count()).toBe(1200);

      // A row whose job is on the queue but whose mark was lost (a relay died after adding it).
      await executeBound(sqlOf, "update job_outbox set dispatched_at = null where job_id in ('relay-1', 'relay-2')", []);
      expect(await relayOutbox(relayHub.deps.orm.em, producer, 500)).toBe(2);
      expect(await queue.count()).toBe(1200);
      expect((await queue.getJob('relay-1'))?.data).toEqual({ runId: 'relay-1' });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await relayHub.close();
    }
  });
});

