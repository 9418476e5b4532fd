import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { executeRun, type RunnerDeps } from '../../workflows/engine/index.ts';
import type { Workflow } from '../../workflows/engine/types.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

// A worker slower than its lease must not record its step over a run someone else took since
// (a cancellation, or another worker after the lease ran out): its writes roll back instead.
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.close();
});

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const LEASE_MS = 1_000;

/** A one-step workflow whose step waits for `release` and then writes a marker row in its commit. */
function slowWorkflow(gate: Promise<void>, outcome: 'done' | 'throw'): Workflow<Record<string, unknown>, object> {
  return {
    id: 'slow',
    steps: [
      {
        id: 'slow-step',
        async run(ctx) {
          await gate;
          if (outcome === 'throw') throw new Error('supplier said no');
          return {
            done: true,
            commit: async (tx) => {
              await tx.getConnection().execute("insert into audit_entry (id, at, actor_type, actor_id, action, resource_type, resource_id) values (?, ?, 'system', 'test', 'slow-step', 'workflow_run', ?)", [`aud_${ctx.runId}`, ctx.clock.now(), ctx.runId], 'run', tx.getTransactionContext());
            },
          };
        },
      },
    ],
  };
}

async function newRun(id: string): Promise<void> {
  await sql("insert into workflow_run (id, workflow, subject_id, status, step, state, created_at, updated_at) values (?, 'slow', ?, 'pending', 'start', '{}', now(), now())", [id, `subj_${id}`]);
}

function deps(clock: ManualClock, workflow: Workflow<Record<string, unknown>, object>): RunnerDeps<object> {
  return { em: hub.deps.orm.em.fork(), clock, config: { maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 100, leaseMs: LEASE_MS }, workflows: new Map([[workflow.id, workflow]]), schedule: async () => undefined, services: {} };
}

/** What happens to the run while its worker is stuck: the lease runs out and a canceller takes it. */
async function takeOver(clock: ManualClock, runId: string): Promise<void> {
  clock.advance(LEASE_MS + 1);
  const taken = await sql<{ id: string }[]>("update workflow_run set lease_until = ? where id = ? and lease_until <= ? returning id", [new Date(clock.now().getTime() + LEASE_MS), runId, clock.now()]);
  expect(taken).toHaveLength(1);
  await sql("update workflow_run set status = 'cancelled', lease_until = null where id = ?", [runId]);
}

describe('workflow runner lease fence', () => {
  it('a step finished after its lease was taken over records nothing and rolls its writes back', async () => {
    const clock = new ManualClock();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await newRun('run_fence_done');
    const running = executeRun(deps(clock, slowWorkflow(gate, 'done')), 'run_fence_done');
    await new Promise((r) => setTimeout(r, 100));
    await takeOver(clock, 'run_fence_done');
    release();
    expect(await running).toMatchObject({ status: 'lease_lost' });
    const [run] = await sql<{ status: string; step: string }[]>('select status, step from workflow_run where id = ?', ['run_fence_done']);
    expect(run).toEqual({ status: 'cancelled', step: 'start' });
    expect(await sql('select 1 from workflow_step where run_id = ?', ['run_fence_done'])).toHaveLength(0);
    expect(await sql('select 1 from audit_entry where resource_id = ?', ['run_fence_done'])).toHaveLength(0);
  });

  it('a step that fails after its lease was taken over does not put the run back to waiting', async () => {
    const clock = new ManualClock();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await newRun('run_fence_fail');
    const running = executeRun(deps(clock, slowWorkflow(gate, 'throw')), 'run_fence_fail');
    await new Promise((r) => setTimeout(r, 100));
    await takeOver(clock, 'run_fence_fail');
    release();
    expect(await running).toMatchObject({ status: 'lease_lost' });
    const [run] = await sql<{ status: string; attempt: number; last_error: string | null }[]>('select status, attempt, last_error from workflow_run where id = ?', ['run_fence_fail']);
    expect(run).toEqual({ status: 'cancelled', attempt: 0, last_error: null });
  });

  it('a step finished within its lease is recorded with its writes', async () => {
    const clock = new ManualClock();
    await newRun('run_fence_ok');
    expect(await executeRun(deps(clock, slowWorkflow(Promise.resolve(), 'done')), 'run_fence_ok')).toMatchObject({ status: 'succeeded' });
    const [run] = await sql<{ status: string; lease_until: Date | null }[]>('select status, lease_until from workflow_run where id = ?', ['run_fence_ok']);
    expect(run).toEqual({ status: 'succeeded', lease_until: null });
    expect(await sql('select 1 from workflow_step where run_id = ?', ['run_fence_ok'])).toHaveLength(1);
    expect(await sql('select 1 from audit_entry where resource_id = ?', ['run_fence_ok'])).toHaveLength(1);
  });
});
