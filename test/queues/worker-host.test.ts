import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.ts';
import { openQueue, WorkerHost } from '../../src/queues/worker-host.ts';
import { queues } from '../../src/queues/registry.ts';
import { createRedis } from '../../src/redis/connection.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('WorkerHost', () => {
  it('keeps every queue name hash-tagged for Redis Cluster', () => {
    for (const q of Object.values(queues)) expect(q.name).toMatch(/^\{[a-z-]+\}$/);
  });

  it('passes every job through its gate (a worker yielding to an intake burst)', async () => {
    const connection = createRedis(hub.config.redisUrl);
    const prefix = hub.config.redisPrefix;
    let gated = 0;
    const gate = { run: <T>(task: () => Promise<T>) => { gated++; return task(); } };
    const host = new WorkerHost({ connection, prefix, logger: hub.deps.logger, metrics: hub.deps.metrics, concurrency: 1, gate });
    const queue = openQueue('maintenance', connection, prefix);
    const events = new QueueEvents(queues.maintenance.name, { connection: connection.duplicate(), prefix });
    host.register('maintenance', async () => ({ ran: true }));
    try {
      await events.waitUntilReady();
      const job = await queue.add('gated', { task: 'expire-webhook-secrets' as const });
      expect(await job.waitUntilFinished(events, 10_000)).toEqual({ ran: true });
      expect(gated).toBe(1);
    } finally {
      await host.close();
      await events.close();
      await queue.close();
      connection.disconnect();
    }
  });

  it('runs a job, retries a retryable failure, and stops at once on a non-retryable one', async () => {
    const connection = createRedis(hub.config.redisUrl);
    const prefix = hub.config.redisPrefix;
    const host = new WorkerHost({ connection, prefix, logger: hub.deps.logger, metrics: hub.deps.metrics, concurrency: 2 });
    const queue = openQueue('maintenance', connection, prefix);
    const events = new QueueEvents(queues.maintenance.name, { connection: connection.duplicate(), prefix });
    let calls = 0;
    let mode: 'ok' | 'flaky' | 'permanent' = 'ok';
    host.register('maintenance', async () => {
      calls++;
      if (mode === 'flaky' && calls < 3) throw new AppError('unavailable', 'supplier down');
      if (mode === 'permanent') throw new AppError('validation_failed', 'never works');
      return { calls };
    });
    try {
      await events.waitUntilReady();
      const data = { task: 'expire-webhook-secrets' as const };
      const ok = await queue.add('t', data);
      expect(await ok.waitUntilFinished(events, 10_000)).toEqual({ calls: 1 });

      mode = 'flaky';
      calls = 0;
      const flaky = await queue.add('t', data, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
      expect(await flaky.waitUntilFinished(events, 10_000)).toEqual({ calls: 3 });

      mode = 'permanent';
      calls = 0;
      const bad = await queue.add('t', data, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
      await expect(bad.waitUntilFinished(events, 10_000)).rejects.toThrow('never works');
      expect(calls).toBe(1);

      const invalid = await queue.add('t', { task: 'nonsense' } as never, { attempts: 3 });
      await expect(invalid.waitUntilFinished(events, 10_000)).rejects.toThrow(/invalid maintenance payload/);

      const metrics = await hub.deps.metrics.registry.getSingleMetricAsString('hub_jobs_processed_total');
      expect(metrics).toContain('outcome="failed_permanently"');
      // Keys live under the configured prefix only.
      const keys = await connection.keys(`${prefix}:{maintenance}:*`);
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      await host.close();
      await events.close();
      await queue.close();
      connection.disconnect();
    }
  });
});
