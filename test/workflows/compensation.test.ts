import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { AppError } from '../../src/domain/errors.ts';
import { abortRun, executeRun, holdRun, listDeadRuns, replayRun, runHistory, type RunnerDeps, type Step, type Workflow } from '../../workflows/engine/index.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

// The engine's sagas on the real database, with a workflow whose steps and compensations write a
// journal: what was done and undone, in which order, and how often.
let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
  await sql('create table if not exists saga_journal (run_id text not null, entry text not null, n integer not null default 1, primary key (run_id, entry))');
});
afterAll(async () => {
  await hub?.close();
});

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const journal = async (runId: string) => (await sql<{ entry: string; n: number }[]>('select entry, n from saga_journal where run_id = ? order by ctid', [runId])).map((r) => (r.n > 1 ? `${r.entry}×${r.n}` : r.entry));
const statusOf = async (runId: string) => (await sql<{ status: string; goal: string | null; last_error: string | null }[]>('select status, goal, last_error from workflow_run where id = ?', [runId]))[0];

type Behaviour = 'ok' | 'permanent' | 'retryable';
interface Script {
  /** How the third step behaves. */
  third: Behaviour;
  /** How the second step's compensation behaves on each call (the last entry repeats). */
  undoSecond: Behaviour[];
  thirdOnRetriesOut?: 'compensate' | 'hold';
}

const fail = (how: Behaviour, what: string) => {
  if (how === 'permanent') throw new AppError('conflict', `${what}: refused for good`, { retryable: false });
  if (how === 'retryable') throw new AppError('unavailable', `${what}: down`, { retryable: true });
};

/** did(x) appends to the journal; a second did(x) of one run counts instead of appending (so a guard shows). */
const did = (tx: { getConnection(): { execute(q: string, p: unknown[], m: 'run', ctx: unknown): Promise<unknown> }; getTransactionContext(): unknown }, runId: string, entry: string) =>
  tx.getConnection().execute('insert into saga_journal (run_id, entry) values (?, ?) on conflict (run_id, entry) do update set n = saga_journal.n + 1', [runId, entry], 'run', tx.getTransactionContext());

function saga(script: Script): Workflow<Record<string, unknown>, object> {
  let undoCalls = 0;
  const step = (id: string, next: string | null, compensable: boolean): Step<Record<string, unknown>, object> => ({
    id,
    async run(ctx) {
      if (id === 'third') fail(script.third, id);
      return {
        ...(next ? { next } : { done: true as const }),
        output: { id },
        ...(compensable ? { compensateInput: { made: `${id}-thing` } } : {}),
        commit: async (tx) => void (await did(tx, ctx.runId, `do ${id}`)),
      };
    },
    ...(compensable
      ? {
          async compensate(input, ctx) {
            if (id === 'second') fail(script.undoSecond[Math.min(undoCalls++, script.undoSecond.length - 1)] ?? 'ok', `undo ${id}`);
            return { output: { undid: input.made }, commit: async (tx) => void (await did(tx, ctx.runId, `undo ${String(input.made)} (${ctx.goal}: ${ctx.reason})`)) };
          },
        }
      : {}),
    ...(id === 'third' && script.thirdOnRetriesOut ? { whenRetriesRunOut: script.thirdOnRetriesOut } : {}),
  });
  return {
    id: 'saga',
    // first and second leave something to undo; "inert" does not (no compensation input); third may fail.
    steps: [step('first', 'inert', true), step('inert', 'second', false), step('second', 'third', true), step('third', null, false)],
    onFailed: async (tx, ctx) => void (await did(tx, ctx.runId, `failed: ${ctx.reason}`)),
    onCancelled: async (tx, ctx) => void (await did(tx, ctx.runId, `cancelled: ${ctx.reason}`)),
  };
}

let n = 0;
async function newRun(): Promise<string> {
  const id = `run_saga_${++n}_${Date.now()}`;
  await sql("insert into workflow_run (id, workflow, subject_id, tenant, status, step, state, created_at, updated_at) values (?, 'saga', ?, 'mall_saga', 'pending', 'start', '{}', now(), now())", [id, `subj_${id}`]);
  return id;
}

function deps(clock: ManualClock, workflow: Workflow<Record<string, unknown>, object>, scheduled: number[] = []): RunnerDeps<object> {
  return {
    em: hub.deps.orm.em.fork(),
    clock,
    config: { maxAttempts: 3, backoffBaseMs: 100, backoffMaxMs: 1_000, leaseMs: 1_000 },
    workflows: new Map([[workflow.id, workflow]]),
    schedule: async (_runId, _wakes, delay) => void scheduled.push(delay),
    services: {},
  };
}

/** Executes the run, moving the clock past each backoff, until it no longer retries. */
async function drive(d: RunnerDeps<object>, runId: string) {
  for (let i = 0; i < 20; i++) {
    const r = await executeRun(d, runId);
    if (r.status !== 'retrying' && r.status !== 'compensating') return r;
    (d.clock as ManualClock).advance(1_001);
  }
  throw new Error('the run never settled');
}

describe('the engine runs compensations', () => {
  it('a run that fails for good undoes its finished steps in reverse order, records each, then ends failed with its last word', async () => {
    const runId = await newRun();
    const result = await drive(deps(new ManualClock(), saga({ third: 'permanent', undoSecond: ['ok'] })), runId);
    expect(result.status).toBe('failed');
    expect(await journal(runId)).toEqual([
      'do first', 'do inert', 'do second',
      'undo second-thing (fail: third: refused for good)', 'undo first-thing (fail: third: refused for good)',
      'failed: third: refused for good',
    ]);
    expect(await statusOf(runId)).toMatchObject({ status: 'failed', goal: 'fail' });
    const history = (await runHistory(hub.deps.orm.em.fork(), runId)).map((s) => `${s.step} ${s.status}${s.compensates ? ` of #${s.compensates}` : ''}`);
    expect(history).toEqual(['first succeeded', 'inert succeeded', 'second succeeded', 'third failed', 'second compensated of #3', 'first compensated of #1']);
    // Ended: another wake-up does nothing, and nothing is undone twice.
    expect((await executeRun(deps(new ManualClock(), saga({ third: 'ok', undoSecond: ['ok'] })), runId)).status).toBe('skipped');
    expect((await journal(runId)).filter((e) => e.includes('×'))).toEqual([]);
  });

  it('retries a failing compensation with backoff, then dead-letters the run with the reason; a replay finishes the undo', async () => {
    const runId = await newRun();
    const scheduled: number[] = [];
    const clock = new ManualClock();
    const result = await drive(deps(clock, saga({ third: 'permanent', undoSecond: ['retryable'] }), scheduled), runId);
    expect(result.status).toBe('dead');
    // Two backoffs (100, 200 ms) between the three attempts, then given up.
    expect(scheduled).toEqual([100, 200]);
    expect(await statusOf(runId)).toMatchObject({ status: 'dead', goal: 'fail', last_error: 'compensation of second: undo second: down' });
    expect((await runHistory(hub.deps.orm.em.fork(), runId)).at(-1)).toMatchObject({ step: 'second', status: 'compensation_failed', attempts: 3, error: 'compensation of second: undo second: down' });
    expect(await journal(runId)).toEqual(['do first', 'do inert', 'do second']);
    const listed = await listDeadRuns(hub.deps.orm.em.fork(), { tenant: 'mall_saga', limit: 50 });
    expect(listed.find((r) => r.id === runId)).toMatchObject({ goal: 'fail', step: 'third' });
    // An operator cannot abort what is already being undone; a replay tries the undo again.
    expect(await abortRun(hub.deps.orm.em.fork(), clock, async () => undefined, runId, 'give up')).toEqual({ refused: 'wrong_state', status: 'dead', goal: 'fail' });
    expect(await replayRun(hub.deps.orm.em.fork(), clock, async () => undefined, runId)).toEqual({ phase: 'compensation' });
    const after = await drive(deps(clock, saga({ third: 'permanent', undoSecond: ['ok'] })), runId);
    expect(after.status).toBe('failed');
    expect(await journal(runId)).toEqual(['do first', 'do inert', 'do second', 'undo second-thing (fail: third: refused for good)', 'undo first-thing (fail: third: refused for good)', 'failed: third: refused for good']);
    // The failed attempt stays in the history next to the one that worked.
    expect((await runHistory(hub.deps.orm.em.fork(), runId)).filter((s) => s.compensates === 3).map((s) => s.status)).toEqual(['compensation_failed', 'compensated']);
  });

  it('a step whose retries run out where the supplier may hold something unseen waits dead, undone only when an operator aborts it', async () => {
    const runId = await newRun();
    const clock = new ManualClock();
    expect((await drive(deps(clock, saga({ third: 'retryable', undoSecond: ['ok'], thirdOnRetriesOut: 'hold' })), runId)).status).toBe('dead');
    expect(await statusOf(runId)).toMatchObject({ status: 'dead', goal: null });
    expect(await journal(runId)).toEqual(['do first', 'do inert', 'do second']);
    expect(await abortRun(hub.deps.orm.em.fork(), clock, async () => undefined, runId, 'operator: never arrived')).toEqual({ aborted: true });
    expect((await drive(deps(clock, saga({ third: 'retryable', undoSecond: ['ok'] })), runId)).status).toBe('failed');
    expect((await journal(runId)).slice(3)).toEqual(['undo second-thing (fail: operator: never arrived)', 'undo first-thing (fail: operator: never arrived)', 'failed: operator: never arrived']);
  });

  it('when retries run out in a step that knows all it did, the run is undone at once', async () => {
    const runId = await newRun();
    expect((await drive(deps(new ManualClock(), saga({ third: 'retryable', undoSecond: ['ok'] })), runId)).status).toBe('failed');
    expect((await journal(runId)).at(-1)).toBe('failed: third: down');
  });

  it('a compensation begun by a worker that died is tried again by the next, once its lease runs out, and recorded once', async () => {
    const runId = await newRun();
    const clock = new ManualClock();
    // The first worker dies inside the undo of "second" (it never returns): its row says compensating.
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const dying = saga({ third: 'permanent', undoSecond: ['ok'] });
    const second = dying.steps[2] as Step<Record<string, unknown>, object>;
    const undo = second.compensate?.bind(second);
    second.compensate = async (input, ctx, d) => {
      await did(ctx.em, runId, 'undo second-thing reached the supplier');
      await stuck;
      return undo?.(input, ctx, d);
    };
    const first = executeRun(deps(clock, dying), runId);
    for (let i = 0; i < 50 && !(await journal(runId)).includes('undo second-thing reached the supplier'); i++) await new Promise((r) => setTimeout(r, 20));
    expect((await runHistory(hub.deps.orm.em.fork(), runId)).at(-1)).toMatchObject({ step: 'second', status: 'compensating' });
    // Still leased: another worker leaves it alone.
    expect((await executeRun(deps(clock, saga({ third: 'permanent', undoSecond: ['ok'] })), runId)).status).toBe('skipped');
    clock.advance(1_001);
    expect((await executeRun(deps(clock, saga({ third: 'permanent', undoSecond: ['ok'] })), runId)).status).toBe('failed');
    // The dead worker wakes up late: its lease is gone, it records nothing.
    release();
    expect((await first).status).toBe('lease_lost');
    expect(await journal(runId)).toEqual([
      'do first', 'do inert', 'do second', 'undo second-thing reached the supplier',
      'undo second-thing (fail: third: refused for good)', 'undo first-thing (fail: third: refused for good)', 'failed: third: refused for good',
    ]);
    expect((await runHistory(hub.deps.orm.em.fork(), runId)).filter((s) => s.compensates === 3).map((s) => `${s.status}/${s.attempts}`)).toEqual(['compensated/1']);
  });
});

describe('a cancellation goes through the engine', () => {
  it('undoes the finished steps in reverse order and ends the run cancelled, with its last word', async () => {
    const runId = await newRun();
    const clock = new ManualClock();
    // The run has done "first" and waits before "second" (its step threw retryably once).
    const flaky = saga({ third: 'ok', undoSecond: ['ok'] });
    flaky.steps[2] = { ...(flaky.steps[2] as Step<Record<string, unknown>, object>), run: async () => fail('retryable', 'second') as never };
    expect((await executeRun(deps(clock, flaky), runId)).status).toBe('retrying');
    const hold = await holdRun(deps(clock, flaky), `subj_${runId}`);
    if (!hold || hold === 'busy') throw new Error(`no hold: ${hold}`);
    await hold.cancel('member changed their mind');
    await hold.release();
    expect(await statusOf(runId)).toMatchObject({ status: 'cancelled', goal: 'cancel' });
    expect(await journal(runId)).toEqual(['do first', 'do inert', 'undo first-thing (cancel: member changed their mind)', 'cancelled: member changed their mind']);
    // Nothing live is left to hold.
    expect(await holdRun(deps(clock, flaky), `subj_${runId}`)).toBeNull();
  });

  it('a compensation refused during a cancellation puts the run back as it was and tells the caller', async () => {
    const runId = await newRun();
    const clock = new ManualClock();
    const waiting = saga({ third: 'ok', undoSecond: ['permanent'] });
    const third = waiting.steps[3] as Step<Record<string, unknown>, object>;
    waiting.steps[3] = { ...third, run: async () => ({ wait: 60_000, output: {} }) };
    expect((await executeRun(deps(clock, waiting), runId)).status).toBe('waiting');
    const hold = await holdRun(deps(clock, waiting), `subj_${runId}`);
    if (!hold || hold === 'busy') throw new Error(`no hold: ${hold}`);
    await expect(hold.cancel('too late')).rejects.toThrow('undo second: refused for good');
    await hold.release();
    expect(await statusOf(runId)).toMatchObject({ status: 'waiting', goal: null });
    expect((await runHistory(hub.deps.orm.em.fork(), runId)).at(-1)).toMatchObject({ step: 'second', status: 'compensation_failed' });
    expect(await journal(runId)).toEqual(['do first', 'do inert', 'do second']);
    // The run goes on from where it waited.
    clock.advance(60_001);
    waiting.steps[3] = third;
    expect((await executeRun(deps(clock, waiting), runId)).status).toBe('succeeded');
  });
});
