import type { EntityManager } from '@mikro-orm/postgresql';
import { isPermanent } from '../../src/domain/errors.ts';
import type { Clock } from '../../src/domain/clock.ts';
import { compensateRun } from './compensation.ts';
import { backoff, errorText, LeaseLost, type RunnerDeps, type RunResult } from './deps.ts';
import * as store from './store.ts';
import type { RunRow } from './store.ts';
import type { StepContext, StepOutcome, Workflow } from './types.ts';

export type { RunnerConfig, RunnerDeps, RunResult } from './deps.ts';

const MAX_STEPS_PER_JOB = 25;

/**
 * Executes a run from its current step until it waits, ends or fails, one step at a time. Each
 * finished step is recorded with its writes, its compensation input and the run's next step in
 * one transaction, so a run resumes from the last finished step, never from the start. The run
 * is leased while it executes: a second job for it does nothing, and a worker killed mid-step
 * loses the lease when it expires (the reconciler then wakes the run again and the step runs
 * again: steps are idempotent).
 *
 *   step throws ──▶ retryable and attempts left? ──yes──▶ waiting, next_run_at = now + backoff
 *                        │ no
 *                        ▼
 *     permanent, or retries ran out in a step that knows all it did (whenRetriesRunOut: compensate)
 *        ──▶ compensating: finished steps undone in reverse order (compensation.ts) ──▶ failed
 *     retries ran out in a step that may have left something unseen (hold)
 *        ──▶ dead (dead-letter list; an operator replays it, or aborts it into compensation)
 */
export async function executeRun<D>(deps: RunnerDeps<D>, runId: string): Promise<RunResult> {
  const now = () => deps.clock.now();
  const leased = await store.leaseRun(deps.em, runId, now(), new Date(now().getTime() + deps.config.leaseMs));
  if (!leased) return { runId, status: 'skipped' };
  let run: RunRow = leased;
  const workflow = deps.workflows.get(run.workflow);
  if (!workflow) return die(deps, run, `unknown workflow ${run.workflow}`, run.step, now(), 'dead');
  if (run.status === 'compensating') return compensateRun(deps, workflow, run, 'background');
  for (let i = 0; i < MAX_STEPS_PER_JOB; i++) {
    const step = run.step === 'start' ? workflow.steps[0] : workflow.steps.find((s) => s.id === run.step);
    if (!step) return die(deps, run, `unknown step ${run.step} of ${workflow.id}`, run.step, now(), 'dead');
    const ctx: StepContext<any> = { runId: run.id, subjectId: run.subject_id, state: run.state, em: deps.em.fork(), clock: deps.clock, attempt: run.attempt };
    const started = now();
    let outcome: StepOutcome<any>;
    try {
      outcome = await step.run(ctx, deps.services);
    } catch (err) {
      const attempts = run.attempt + 1;
      if (!isPermanent(err) && attempts < deps.config.maxAttempts) return retryLater(deps, run, step.id, attempts, err);
      const then = isPermanent(err) || step.whenRetriesRunOut !== 'hold' ? 'compensate' : 'dead';
      return die(deps, { ...run, attempt: attempts }, errorText(err), step.id, started, then, workflow);
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
  if (await store.releaseRun(deps.em, run, now(), 0)) await deps.schedule(run.id, run.wakes + 1, 0);
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
  await deps.em.fork().transactional(async (tx) => {
    const added = await outcome.commit?.(tx);
    if (added) state = { ...state, ...added };
    const moved = await store.recordStep(
      tx,
      run,
      { step: stepId, output: outcome.output ?? {}, compensateInput: outcome.compensateInput, attempts: run.attempt + 1, startedAt: started },
      { step: nextStep, state, status, wakes, now, nextRunAt: waitMs !== null ? new Date(now.getTime() + waitMs) : null, lease: status === 'running' ? lease : null },
    );
    // The step's row is inserted either way: a lost lease must undo it (and the step's writes).
    if (!moved) throw new LeaseLost(run.id);
  });
  return { ...run, step: nextStep, state, status, attempt: 0, wakes, lease };
}

async function retryLater<D>(deps: RunnerDeps<D>, run: RunRow, stepId: string, attempts: number, err: unknown): Promise<RunResult> {
  const wait = backoff(deps.config, attempts, err);
  if (!(await store.retryStepLater(deps.em.fork(), run, attempts, errorText(err), deps.clock.now(), wait))) return { runId: run.id, status: 'lease_lost', step: stepId };
  await deps.schedule(run.id, run.wakes + 1, wait);
  return { runId: run.id, status: 'retrying', step: stepId };
}

/** A forward step failed for good: the run compensates towards failure, or waits dead for an operator. */
async function die<D>(deps: RunnerDeps<D>, run: RunRow, error: string, stepId: string, started: Date, then: 'compensate' | 'dead', workflow?: Workflow<any, D>): Promise<RunResult> {
  const now = deps.clock.now();
  const lease = new Date(now.getTime() + deps.config.leaseMs);
  const next = then === 'compensate' ? ({ status: 'compensating', goal: 'fail', lease } as const) : ({ status: 'dead' } as const);
  const ours = await deps.em.fork().transactional((tx) => store.failStep(tx, run, { step: stepId, attempts: run.attempt, error, startedAt: started, now }, next));
  if (!ours) return { runId: run.id, status: 'lease_lost', step: stepId };
  if (then === 'dead' || !workflow) return { runId: run.id, status: 'dead', step: stepId };
  return compensateRun(deps, workflow, { ...run, status: 'compensating', goal: 'fail', reason: error, lease }, 'background');
}

/**
 * Wakes runs that should be running but have no live worker or queued job (Redis lost it, a
 * worker died holding it): each gets a new wake-up with a new job id, since the old job may still
 * sit in Redis as a stalled or finished job that would swallow a re-add under the same id. A run
 * woken twice is executed once (the lease).
 */
export async function wakeDueRuns(em: EntityManager, clock: Clock, schedule: RunnerDeps<unknown>['schedule'], limit = 500): Promise<number> {
  const due = await store.dueRuns(em, clock.now(), limit);
  for (const run of due) await schedule(run.id, run.wakes, 0);
  return due.length;
}
