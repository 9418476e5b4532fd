import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle, type Sandbox } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { repriceMall } from '../../src/catalog/mall-pricing.ts';
import { processWorkflow } from '../../src/queues/processors/workflow.processor.ts';
import { WorkerHost } from '../../src/queues/worker-host.ts';
import { createRedis } from '../../src/redis/connection.ts';
import { runnerDeps } from '../../src/workflow-runner.ts';
import { startTestHub, type TestHub } from './hub.ts';

/** A test hub fulfilling lines against the sandboxes, as the workflow tests drive it. */
export interface WorkflowHub {
  hub: TestHub;
  sandboxes: Sandbox[];
  sandboxClock: SandboxClock;
  mall: { mallId: string; apiKey: string };
  /** A sandbox by supplier id. */
  sandbox<T extends Sandbox = Sandbox>(id: string): T;
  close(): Promise<void>;
}

/**
 * The sandboxes on a loopback port (recharges never fail at random: a test that wants a failure
 * asks for it), a hub pointed at them with `env`, the suppliers' catalogs synced, a mall priced,
 * and the workflow queue consumed in this process.
 */
export async function startWorkflowHub(opts: { seed: number; suppliers: string[]; mallName: string; env: Record<string, string> }): Promise<WorkflowHub> {
  const sandboxClock = new SandboxClock();
  const sandboxes = createSandboxes({ clock: sandboxClock, seed: opts.seed, skus: 200, hubUrl: 'http://127.0.0.1:9', lifecycle: { ...defaultLifecycle, topupFailRate: 0 } }, loadConfig({}).suppliers);
  const server = await serveOnLoopback(createSandboxHost(sandboxes, sandboxClock));
  // Supplier signatures are made and checked on the wall clock (the hub's test clock is pinned, and
  // the sandbox clock moves only the suppliers' lifecycles).
  const hub = await startTestHub({ supplierNow: () => new Date(), env: { HUB_SANDBOX_URL: server.url, ...opts.env } });
  for (const id of opts.suppliers) {
    await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, hub.deps.connectors.get(id) as SupplierConnector, { pageSize: 100 });
  }
  const mall = await hub.createMall(opts.mallName);
  await repriceMall(hub.deps.orm.em.fork(), mall.mallId);
  const connection = createRedis(hub.config.redisUrl);
  const host = new WorkerHost({ connection, prefix: hub.config.redisPrefix, logger: hub.deps.logger, metrics: hub.deps.metrics, concurrency: 4 });
  const runner = runnerDeps(hub.deps);
  host.register('workflow', (p) => processWorkflow(p, { ...runner, em: hub.deps.orm.em.fork() }));
  return {
    hub,
    sandboxes,
    sandboxClock,
    mall,
    sandbox: <T extends Sandbox = Sandbox>(id: string) => sandboxes.find((s) => s.id === id) as T,
    async close() {
      await host.close();
      connection.disconnect();
      await server.close();
      await hub.close();
    },
  };
}
