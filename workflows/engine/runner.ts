import type { EntityManager } from '@mikro-orm/postgresql';
import { isPermanent } from '../../src/domain/errors.ts';
import type { Clock } from '../../src/domain/clock.ts';
import type { StepContext, StepOutcome, Workflow } from './types.ts';

/** How the runner retries and holds runs; every delay is configuration. */
export interface RunnerConfig {
  /** Attempts of one step before the run goes to the dead-letter list. */
  maxAttempts: number;
  /** Backoff before attempt n (1-based) of a step: base × 2^(n-1), capped. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long a worker holds a run it is executing; a worker killed mid-step loses it after this. */
  leaseMs: number;
}

export interface RunnerDeps<D> {
  em: EntityManager;
  clock: Clock;
  config: RunnerConfig;
  workflows: Map<string, Workflow<any, D>>;
  /** Puts a wake-up of the run on the queue (job id `${runId}-${wakes}`), after a delay. */
  schedule: (runId: string, wakes: number, delayMs: number) => Promise<void>;
  /** The workflows' own dependencies (connectors, crypto, …). */
  services: D;
}

interface RunRow {
  id: string; workflow: string; subject_id: string; status: string; step: string; state: Record<string, unknown>; attempt: number; wakes: number;
  /** The lease this execution holds: every write of the run is made only while lease_until still equals it. */
  lease: Date;
}

/**
 * Thrown inside a step's transaction when the run is no longer this execution's: its lease ran
 * out and someone else (another worker, a cancellation) took the run. The step's writes roll back
 * with it, so a slow worker never records a step over a run that moved on without it.
 */
class LeaseLost extends Error {
  constructor(runId: string) {
    super(`workflow run ${runId}: lease lost before the step was recorded`);
    this.name = 'LeaseLost';
  }
}

export type RunResult = { runId: string; status: 'skipped' | 'lease_lost' | 'waiting' | 'succeeded' | 'dead' | 'retrying'; step?: string };

const MAX_STEPS_PER_JOB = 25;

/**
 * Executes a run from its current step until it waits, ends or fails, one step at a time. Each
 * finished step is recorded with its writes and the run's next step in one transaction, so a run
 * resumes from the last finished step, never from the start. The run is leased while it executes:
 * a second job for it does nothing, and a worker killed mid-step loses the lease when it expires
 * (the reconciler then wakes the run again and the step runs again: steps are idempotent).
 *
 *   step throws ──▶ retryable and attempts left? ──yes──▶ waiting, next_run_at = now + backoff
 *                                  │ no (permanent, or last attempt)
 *                                  ▼
 *                         dead (dead-letter list; an admin replays it)
 */
export async function executeRun<D>(deps: RunnerDeps<D>, runId: string): Promise<RunResult> {
  const conn = deps.em.getConnection();
  const now = () => deps.clock.now();
  const lease = new Date(now().getTime() + deps.config.leaseMs);
  const [leased] = await conn.execute<Omit<RunRow, 'lease'>[]>(
    // Taking over a run still marked running means its last worker died mid-step: that counts as
    // an attempt, so the step knows to look up what the dead worker may have done (a submit).
    `update workflow_run set status = 'running', lease_until = ?, updated_at = ?, attempt = case when status = 'running' then attempt + 1 else attempt end
     where id = ? and status in ('pending', 'running', 'waiting') and (lease_until is null or lease_until <= ?) and (next_run_at is null or next_run_at <= ?)
     returning id, workflow, subject_id, status, step, state, attempt, wakes`,
    [lease, now(), runId, now(), now()],
  );
  if (!leased) return { runId, status: 'skipped' };
  let run: RunRow = { ...leased, lease };
  const workflow = deps.workflows.get(run.workflow);
  if (!workflow) return die(deps, run, `unknown workflow ${run.workflow}`);
  for (let i = 0; i < MAX_STEPS_PER_JOB; i++) {
    const step = run.step === 'start' ? workflow.steps[0] : workflow.steps.find((s) => s.id === run.step);
    if (!step) return die(deps, run, `unknown step ${run.step} of ${workflow.id}`);
    const ctx: StepContext<any> = { runId: run.id, subjectId: run.subject_id, state: run.state, em: deps.em.fork(), clock: deps.clock, attempt: run.attempt };
    const started = now();
    let outcome: StepOutcome<any>;
    try {
      outcome = await step.run(ctx, deps.services);
    } catch (err) {
      return failed(deps, run, step.id, started, err);
    }
    try {
      run = await record(deps, run, step.id, started, outcome);
    } catch (err) {
      if (err instanceof LeaseLost) return { runId, status: 'lease_lost', step: step.id };
      throw err;
    }
    if ('done' in outcome) return { runId, status: 'succeeded', step: step.id };
    if ('wait' in outcome) {
      await deps.schedule(run.id, run.wakes, outcome.wait);
      return { runId, status: 'waiting', step: run.step };
    }
  }
  // A long chain of steps: let other runs have the worker, come back at once.
  await release(deps, run, 0);
  await deps.schedule(run.id, run.wakes, 0);
  return { runId, status: 'waiting', step: run.step };
}

/** Records a finished step and moves the run on, with the step's own writes, in one transaction. */
async function record<D>(deps: RunnerDeps<D>, run: RunRow, stepId: string, started: Date, outcome: StepOutcome<any>): Promise<RunRow> {
  let state = { ...run.state, ...outcome.state };
  const waitMs = 'wait' in outcome ? outcome.wait : null;
  const nextStep = 'done' in outcome ? stepId : ('next' in outcome && outcome.next) || stepId;
  const status = 'done' in outcome ? 'succeeded' : waitMs !== null ? 'waiting' : 'running';
  const wakes = run.wakes + (waitMs !== null ? 1 : 0);
  const now = deps.clock.now();
  const lease = new Date(now.getTime() + deps.config.leaseMs);
  // The step's record and the run's move, in one statement (one round trip per finished step).
  const bookkeeping = async (em: EntityManager) => {
    const res = await em.getConnection().execute(
      `with s as (
         insert into workflow_step (run_id, seq, step, status, output, attempts, started_at, finished_at)
         values (?, coalesce((select max(seq) from workflow_step where run_id = ?), 0) + 1, ?, 'succeeded', ?, ?, ?, ?)
       )
       update workflow_run set step = ?, state = ?, status = ?, attempt = 0, wakes = ?, last_error = null, updated_at = ?, next_run_at = ?, lease_until = ?
       where id = ? and lease_until = ?`,
      [run.id, run.id, stepId, JSON.stringify(outcome.output ?? {}), run.attempt + 1, started, now,
        nextStep, JSON.stringify(state), status, wakes, now,
        waitMs !== null ? new Date(now.getTime() + waitMs) : null,
        status === 'running' ? lease : null, run.id, run.lease],
      'run',
      em.getTransactionContext(),
    );
    // The statement's step insert happens either way: a lost lease must undo it (and the step's writes).
    if (!(res as { affectedRows?: number }).affectedRows) throw new LeaseLost(run.id);
  };
  if (!outcome.commit) {
    // Nothing of the step's own to write, but the step record and the lease check must go together.
    await deps.em.fork().transactional(bookkeeping);
  } else {
    await deps.em.fork().transactional(async (tx) => {
      const added = await outcome.commit?.(tx);
      if (added) state = { ...state, ...added };
      await bookkeeping(tx);
    });
  }
  return { ...run, step: nextStep, state, status, attempt: 0, wakes, lease };
}

async function failed<D>(deps: RunnerDeps<D>, run: RunRow, stepId: string, started: Date, err: unknown): Promise<RunResult> {
  const message = err instanceof Error ? err.message.slice(0, 1000) : String(err);
  const attempts = run.attempt + 1;
  if (isPermanent(err) || attempts >= deps.config.maxAttempts) return die(deps, { ...run, attempt: attempts }, message, stepId, started);
  const delay = Math.min(deps.config.backoffMaxMs, deps.config.backoffBaseMs * 2 ** (attempts - 1));
  const retryAfter = (err as { retryAfterMs?: unknown }).retryAfterMs;
  const wait = typeof retryAfter === 'number' ? Math.max(delay, retryAfter) : delay;
  const moved = await deps.em.fork().getConnection().execute(
    "update workflow_run set status = 'waiting', attempt = ?, wakes = wakes + 1, last_error = ?, next_run_at = ?, lease_until = null, updated_at = ? where id = ? and lease_until = ?",
    [attempts, message, new Date(deps.clock.now().getTime() + wait), deps.clock.now(), run.id, run.lease],
  );
  if (!(moved as { affectedRows?: number }).affectedRows) return { runId: run.id, status: 'lease_lost', step: stepId };
  await deps.schedule(run.id, run.wakes + 1, wait);
  return { runId: run.id, status: 'retrying', step: stepId };
}

async function die<D>(deps: RunnerDeps<D>, run: RunRow, message: string, stepId = run.step, started = deps.clock.now()): Promise<RunResult> {
  const ours = await deps.em.fork().transactional(async (tx) => {
    const c = tx.getConnection();
    const ctx = tx.getTransactionContext();
    const res = await c.execute(
      "update workflow_run set status = 'dead', attempt = ?, last_error = ?, lease_until = null, next_run_at = null, updated_at = ? where id = ? and lease_until = ?",
      [run.attempt, message, deps.clock.now(), run.id, run.lease],
      'run',
      ctx,
    );
    if (!(res as { affectedRows?: number }).affectedRows) return false;
    await c.execute(
      `insert into workflow_step (run_id, seq, step, status, output, attempts, error, started_at, finished_at)
       values (?, coalesce((select max(seq) from workflow_step where run_id = ?), 0) + 1, ?, 'failed', '{}', ?, ?, ?, ?)`,
      [run.id, run.id, stepId, Math.max(1, run.attempt), message, started, deps.clock.now()],
      'run',
      ctx,
    );
    return true;
  });
  if (!ours) return { runId: run.id, status: 'lease_lost', step: stepId };
  const workflow = deps.workflows.get(run.workflow);
  await workflow?.onDead?.({ runId: run.id, subjectId: run.subject_id, state: run.state, em: deps.em.fork(), clock: deps.clock, attempt: run.attempt }, deps.services, message);
  return { runId: run.id, status: 'dead', step: stepId };
}

async function release<D>(deps: RunnerDeps<D>, run: RunRow, delayMs: number): Promise<void> {
  await deps.em.fork().getConnection().execute(
    "update workflow_run set status = 'waiting', wakes = wakes + 1, lease_until = null, next_run_at = ?, updated_at = ? where id = ? and lease_until = ?",
    [new Date(deps.clock.now().getTime() + delayMs), deps.clock.now(), run.id, run.lease],
  );
  run.wakes += 1;
}

/** Puts a dead run back to work from the step where it died (admin replay); false when it is not dead. */
export async function replayRun(em: EntityManager, clock: Clock, runId: string): Promise<boolean> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    "update workflow_run set status = 'waiting', attempt = 0, wakes = wakes + 1, next_run_at = ?, updated_at = ? where id = ? and status = 'dead' returning id",
    [clock.now(), clock.now(), runId],
  );
  return rows.length > 0;
}

/**
 * Wakes runs that should be running but have no live worker or queued job (Redis lost it, a
 * worker died holding it): each gets a new wake-up with a new job id, since the old job may still
 * sit in Redis as a stalled or finished job that would swallow a re-add under the same id. A run
 * woken twice is executed once (the lease).
 */
export async function wakeDueRuns(em: EntityManager, clock: Clock, schedule: (runId: string, wakes: number, delayMs: number) => Promise<void>, limit = 500): Promise<number> {
  const due = await em.getConnection().execute<{ id: string; wakes: number }[]>(
    `update workflow_run set wakes = wakes + 1 where id in (
       select id from workflow_run
       where status in ('pending', 'running', 'waiting') and (next_run_at is null or next_run_at <= ?) and (lease_until is null or lease_until <= ?)
       order by next_run_at nulls first limit ?)
     returning id, wakes`,
    [clock.now(), clock.now(), limit],
  );
  for (const run of due) await schedule(run.id, run.wakes, 0);
  return due.length;
}
