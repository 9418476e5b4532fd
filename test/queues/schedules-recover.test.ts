import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runnerDeps } from '../../src/workflow-runner.ts';
import { hubSchedules, ScheduleKeeper } from '../../src/queues/schedules.ts';
import { openQueue } from '../../src/queues/worker-host.ts';
import { createRedis } from '../../src/redis/connection.ts';
import { clearPrefix, startTestHubWithWorker, type TestHub } from '../support/hub.ts';
import { seedMall, seedOrder } from '../support/seed-orders.ts';

// Schedules are checked every 200 ms and the reconcilers run every second: a lost schedule must be
// back, and a line it should wake moving, well within RECOVERY_MS. Suppliers point at a closed
// port: the catalog syncs and the JD poll the schedules start fail at once, touching nothing.
const CHECK_EVERY_MS = 200;
const RECONCILE_EVERY_MS = 1_000;
const RECOVERY_MS = 8_000;

let hub: TestHub;
/** The queues with schedulers, and the workflow queue (a line's wake-ups). */
let queues: Queue[];
let workflowQueue: Queue;
beforeAll(async () => {
  hub = await startTestHubWithWorker({
    HUB_SCHEDULE_CHECK_EVERY_MS: String(CHECK_EVERY_MS),
    HUB_RECONCILE_EVERY_MS: String(RECONCILE_EVERY_MS),
    HUB_SANDBOX_URL: 'http://127.0.0.1:9',
  });
  const connection = hub.deps.redis;
  queues = (['maintenance', 'inboundEvent', 'catalogSync'] as const).map((k) => openQueue(k, connection, hub.config.redisPrefix));
  workflowQueue = openQueue('workflow', connection, hub.config.redisPrefix);
}, 60_000);
afterAll(async () => {
  await Promise.all([...(queues ?? []), workflowQueue].map((q) => q?.close()));
  await hub?.close();
});

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const schedulerIds = async () => (await Promise.all(queues.map((q) => q.getJobSchedulers()))).flat().map((s) => s.key).sort();

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A virtual line whose run waits (its wake-up a delayed job in Redis) until `waitMs` from now; no
 * source offers its item, so once woken it fails and asks the mall to refund: a visible move.
 */
async function seedWaitingLine(waitMs: number) {
  const { orderId, lineIds: [lineId] } = await seedOrder(hub, await seedMall(hub), { lines: 1 });
  const runId = `run_${lineId}`;
  const now = hub.clock.now();
  await sql("insert into workflow_run (id, workflow, subject_id, status, step, wakes, next_run_at, created_at, updated_at) values (?, 'issue-line', ?, 'waiting', 'pick-source', 1, ?, ?, ?)",
    [runId, lineId, new Date(now.getTime() + waitMs), now, now]);
  await runnerDeps(hub.deps).schedule(runId, 1, waitMs);
  return { orderId, lineId: lineId as string, runId };
}

describe('job schedules after Redis lost its data', () => {
  it('finds nothing to restore while Redis keeps them, with the reconcilers running meanwhile', async () => {
    const maintenance = queues[0] as Queue;
    const next = async (id: string) => (await maintenance.getJobScheduler(id))?.next;
    const [hourly, reconciler] = [await next('expire-webhook-secrets'), await next('wake-due-runs')];
    // Several checks, some of them while a reconciler's job is running and its next one being made.
    await new Promise((r) => setTimeout(r, RECONCILE_EVERY_MS * 2.5));
    expect(await next('expire-webhook-secrets')).toBe(hourly);
    expect(await next('wake-due-runs')).toBeGreaterThan(reconciler as number);
    expect(hub.logs.text).not.toContain('job schedules restored');
  });

  it('come back by themselves, and the reconciler wakes a waiting line, with no worker restart', async () => {
    const before = await schedulerIds();
    expect(before).toEqual(expect.arrayContaining(['wake-due-runs', 'requeue-inbound-events', 'requeue-webhook-deliveries', 'reprice-lagging-malls', 'poll-jd', 'incremental-jd', 'full-jd']));
    const waitMs = 10 * 60_000;
    const line = await seedWaitingLine(waitMs);
    expect(await workflowQueue.getJobState(`${line.runId}-1`)).toBe('delayed');

    // Redis loses everything of this hub (FLUSHALL, a failover to an empty replica): the line's
    // wake-up job with it. Then the line's time comes.
    await clearPrefix(hub.config.redisUrl, hub.config.redisPrefix);
    expect(await schedulerIds()).toEqual([]);
    hub.clock.advance(waitMs);

    expect(await until(schedulerIds, (ids) => ids.length === before.length, RECOVERY_MS)).toEqual(before);
    const [status] = await until(
      () => sql<{ line: string; order: string; run: string }[]>('select l.status line, o.status "order", r.status run from order_line l join mall_order o on o.id = l.order_id join workflow_run r on r.subject_id = l.id where l.id = ?', [line.lineId]),
      (rows) => rows[0]?.run === 'succeeded',
      RECOVERY_MS,
    );
    expect(status).toEqual({ line: 'failed', order: 'failed', run: 'succeeded' });
    const types = (await sql<{ type: string }[]>('select type from mall_event where order_id = ? order by seq', [line.orderId])).map((e) => e.type);
    expect(types).toEqual(['line.failed', 'refund.required', 'order.failed']);

    // Operators see it: a warning naming what was restored, and a counter per scheduler.
    const restored = hub.logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string; schedulers?: string[] }).filter((l) => l.msg === 'job schedules restored: Redis had lost them');
    expect(restored.flatMap((l) => l.schedulers)).toEqual(expect.arrayContaining(before));
    expect(restored.every((l) => l.level === 40)).toBe(true);
    const metric = await hub.deps.metrics.registry.getSingleMetricAsString('hub_job_schedules_restored_total');
    expect(metric).toMatch(/hub_job_schedules_restored_total\{scheduler="wake-due-runs"\} [1-9]/);
  }, 30_000);
});

describe('a Redis that is down for a while', () => {
  it('makes the check wait or fail with a warning: one check at a time, no crash', async () => {
    // A port nothing listens on: the worker's kind of connection queues commands until Redis is back.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const connection = createRedis(`redis://127.0.0.1:${port}`);
    connection.on('error', () => undefined);
    const warnings: string[] = [];
    const logger = { ...hub.deps.logger, warn: (...args: unknown[]) => void warnings.push(String(args.at(-1))), debug: () => undefined } as unknown as typeof hub.deps.logger;
    const schedules = hubSchedules(hub.config, { polled: ['jd'], catalogSynced: [] });
    const keeper = new ScheduleKeeper({ connection, prefix: `t_${randomBytes(4).toString('hex')}`, schedules, logger, registry: hub.deps.metrics.registry });
    const checks = vi.spyOn(keeper, 'restoreMissing');
    try {
      keeper.start(20);
      await new Promise((r) => setTimeout(r, 400));
      // About 20 ticks came: the first check is still out, the others were skipped, once said.
      expect(checks).toHaveBeenCalledTimes(1);
      expect(warnings).toEqual(['job schedule check still waiting for Redis; skipping this one']);
    } finally {
      await keeper.close();
      connection.disconnect();
    }
    // The check that was waiting fails once the connection is gone; it says nothing after close.
    await new Promise((r) => setTimeout(r, 100));
    expect(warnings).toHaveLength(1);
  });
});
