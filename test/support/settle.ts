import type { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { relayOutbox } from '../../src/queues/outbox-relay.ts';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { runnerDeps } from '../../src/workflow-runner.ts';
import { json, type TestHub } from './hub.ts';

/** How far each round moves the clocks, how many rounds at most, and how long the workers get per round. */
export interface SettleStep {
  hubMs: number;
  supplierMs: number;
  /** Rounds before giving up (default 60). */
  rounds?: number;
  /** Real time the workers get each round to act on what moved (default 150 ms). */
  pauseMs?: number;
}

/**
 * Moves time on until `done` holds of what `read` returns, one round at a time: relay the job
 * outbox, advance the hub's and the suppliers' clocks, let the reconciler wake due runs, then give
 * the workers (which must be running) a moment. Throws with the last value read when the rounds
 * run out (`what` names it in the message).
 */
export async function settleUntil<T>(
  ctx: { hub: TestHub; sandboxClock: SandboxClock },
  read: () => Promise<T>,
  done: (v: T) => boolean,
  step: SettleStep,
  what?: string,
): Promise<T> {
  const { hub, sandboxClock } = ctx;
  const maintenanceDeps = { em: hub.deps.orm.em.fork(), clock: hub.clock, scheduleRun: runnerDeps(hub.deps).schedule };
  for (let i = 0; i < (step.rounds ?? 60); i++) {
    const v = await read();
    if (done(v)) return v;
    await relayOutbox(hub.deps.orm.em, hub.deps.queues);
    hub.clock.advance(step.hubMs);
    await sandboxClock.advance(step.supplierMs);
    await processMaintenance({ task: 'wake-due-runs' }, maintenanceDeps);
    await new Promise((r) => setTimeout(r, step.pauseMs ?? 150));
  }
  throw new Error(`${what ? `${what} ` : ''}did not settle: ${JSON.stringify(await read())}`);
}

/** `settleUntil` on the mall's view of an order. */
export function settleOrder(
  ctx: { hub: TestHub; sandboxClock: SandboxClock; apiKey: string },
  orderId: string,
  done: (o: Record<string, any>) => boolean,
  opts: { hubMs: number; supplierMs: number; rounds?: number },
): Promise<Record<string, any>> {
  const view = async () => json(await ctx.hub.call('GET', `/v1/orders/${orderId}`, { token: ctx.apiKey }));
  return settleUntil(ctx, view, done, opts, `order ${orderId}`);
}
