import type { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { relayOutbox } from '../../src/queues/outbox-relay.ts';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { runnerDeps } from '../../src/workflow-runner.ts';
import { json, type TestHub } from './hub.ts';

/**
 * Moves time on for the hub and the suppliers, relays the job outbox and lets the reconciler wake
 * due runs, until the mall's view of the order satisfies `done` (workers must be running).
 */
export async function settleOrder(
  ctx: { hub: TestHub; sandboxClock: SandboxClock; apiKey: string },
  orderId: string,
  done: (o: Record<string, any>) => boolean,
  opts: { hubMs: number; supplierMs: number; rounds?: number },
): Promise<Record<string, any>> {
  const { hub, sandboxClock, apiKey } = ctx;
  const view = async () => json(await hub.call('GET', `/v1/orders/${orderId}`, { token: apiKey }));
  const maintenanceDeps = { em: hub.deps.orm.em.fork(), clock: hub.clock, scheduleRun: runnerDeps(hub.deps).schedule };
  for (let i = 0; i < (opts.rounds ?? 60); i++) {
    const o = await view();
    if (done(o)) return o;
    await relayOutbox(hub.deps.orm.em, hub.deps.queues);
    hub.clock.advance(opts.hubMs);
    await sandboxClock.advance(opts.supplierMs);
    await processMaintenance({ task: 'wake-due-runs' }, maintenanceDeps);
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`order ${orderId} did not settle: ${JSON.stringify(await view())}`);
}
