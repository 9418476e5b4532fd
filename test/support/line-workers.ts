import { processInbound } from '../../src/queues/processors/inbound-event.processor.ts';
import { processWorkflow } from '../../src/queues/processors/workflow.processor.ts';
import { WorkerHost } from '../../src/queues/worker-host.ts';
import { createRedis } from '../../src/redis/connection.ts';
import { runnerDeps } from '../../src/workflow-runner.ts';
import type { TestHub } from './hub.ts';

/**
 * The workers a line needs, in-process against the test hub's queues: workflow runs and stored
 * supplier events (`workflows: false` for inbound events only, with their wake-ups dropped).
 */
export function startLineWorkers(hub: TestHub, opts: { workflows?: boolean; concurrency?: number } = {}): { close: () => Promise<void> } {
  const connection = createRedis(hub.config.redisUrl);
  const host = new WorkerHost({ connection, prefix: hub.config.redisPrefix, logger: hub.deps.logger, metrics: hub.deps.metrics, concurrency: opts.concurrency ?? 4 });
  const runner = runnerDeps(hub.deps);
  const workflows = opts.workflows ?? true;
  if (workflows) host.register('workflow', (p) => processWorkflow(p, { ...runner, em: hub.deps.orm.em.fork() }));
  host.register('inboundEvent', (p) => processInbound(p, { em: hub.deps.orm.em.fork(), clock: hub.clock, connectors: hub.deps.connectors, scheduleRun: workflows ? runner.schedule : async () => undefined }));
  return {
    close: async () => {
      await host.close();
      connection.disconnect();
    },
  };
}
