import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { loadConfig } from '../../src/config.ts';
import { processCatalogSync } from '../../src/queues/processors/catalog-sync.processor.ts';
import { queues } from '../../src/queues/registry.ts';
import { WorkerHost } from '../../src/queues/worker-host.ts';
import { createRedis } from '../../src/redis/connection.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let host: WorkerHost;
let events: QueueEvents;
let connection: ReturnType<typeof createRedis>;

beforeAll(async () => {
  hub = await startTestHub();
  const clock = new SandboxClock();
  server = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: 4, skus: 250, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers), clock));
  const connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url }).suppliers, () => clock.now());
  connection = createRedis(hub.config.redisUrl);
  host = new WorkerHost({ connection, prefix: hub.config.redisPrefix, logger: hub.deps.logger, metrics: hub.deps.metrics, concurrency: 2 });
  host.register('catalogSync', (p) => processCatalogSync(p, { em: hub.deps.orm.em.fork(), clock: hub.clock, connectors }));
  events = new QueueEvents(queues.catalogSync.name, { connection: connection.duplicate(), prefix: hub.config.redisPrefix });
  await events.waitUntilReady();
});
afterAll(async () => {
  await host?.close();
  await events?.close();
  connection?.disconnect();
  await server?.close();
  await hub?.close();
});

async function trigger(supplierId: string, token = ADMIN_TOKEN) {
  return hub.call('POST', `/admin/catalog/sync/${supplierId}`, { token });
}

async function finished(jobId: string) {
  const queue = new Queue(queues.catalogSync.name, { connection, prefix: hub.config.redisPrefix });
  try {
    const job = await queue.getJob(jobId);
    if (!job) throw new Error(`job ${jobId} not found`);
    return await job.waitUntilFinished(events, 20_000);
  } finally {
    await queue.close();
  }
}

describe('catalog sync admin', () => {
  it('queues a sync, runs it on a worker, and reports progress and last success per supplier', async () => {
    const res = await trigger('brand-lumen');
    expect(res.status).toBe(202);
    const { jobId } = await json(res);
    expect(jobId).toBe('full-brand-lumen');
    await finished(jobId);
    const status = await json(await hub.call('GET', '/admin/catalog/sync', { token: ADMIN_TOKEN }));
    const lumen = status.items.find((s: { supplierId: string }) => s.supplierId === 'brand-lumen');
    expect(lumen.lastRun).toMatchObject({ mode: 'full', status: 'succeeded', seen: 250, errors: 0 });
    expect(lumen.lastSuccessAt).not.toBeNull();
    // The synced items are priced for existing malls and listed to them.
    const mall = await hub.createMall('Priced mall');
    const { jobId: again } = await json(await trigger('brand-lumen'));
    await finished(again);
    const items = await json(await hub.call('GET', '/v1/catalog/items?limit=5', { token: mall.apiKey }));
    expect(items.items.length).toBe(5);
    expect(status.items.find((s: { supplierId: string }) => s.supplierId === 'jd').lastRun).toBeNull();
    const audit = await json(await hub.call('GET', '/admin/audit?resourceId=brand-lumen', { token: ADMIN_TOKEN }));
    expect(audit.items[0].action).toBe('catalog.sync.trigger');
  });

  it('runs the same supplier again once the previous sync finished', async () => {
    const { jobId } = await json(await trigger('brand-lumen'));
    await finished(jobId);
    const rows = await hub.deps.orm.em.fork().getConnection().execute<{ n: string }[]>("select count(*)::text n from catalog_sync_run where supplier_id = 'brand-lumen' and status = 'succeeded'");
    expect(rows[0]?.n).toBe('3');
  });

  it('answers 404 for an unknown supplier and 403 for an agent', async () => {
    expect((await trigger('nope')).status).toBe(404);
    const agent = await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: 'a' } }));
    expect((await trigger('jd', agent.token)).status).toBe(403);
    expect((await hub.call('GET', '/admin/catalog/sync', { token: agent.token })).status).toBe(200);
  });
});
