import { isPermanent } from '../../src/domain/errors.ts';
import { backoff, errorText, LeaseLost, type RunnerDeps, type RunResult } from './deps.ts';
import * as store from './store.ts';
import type { RunRow } from './store.ts';
import type { CompensationContext, CompensationOutcome, EndContext, Workflow } from './types.ts';

const MAX_COMPENSATIONS_PER_JOB = 25;

/**
 * Undoes a run's finished steps, latest first, then ends it (`failed` or `cancelled`) with its
 * workflow's last word in the same transaction. Each compensation is recorded before it is tried
 * (`compensating`) and after it is done (`compensated`, with its own writes), so a worker killed
 * in between tries it again (compensations are guarded: a second call does nothing) and a finished
 * one is never run twice. Only steps that recorded a compensation input are undone, each with
 * that input alone.
 *
 * - `background` (a worker): a compensation that fails retryably is tried again after a backoff;
 *   one that fails for good, or runs out of attempts, sends the run to the dead-letter list with
 *   the reason (an operator replays it). A cancellation the supplier refused for certain puts the
 *   run back to its forward work instead: the line goes on.
 * - `held` (a mall's cancellation, answered now): any failure puts the run back as it was and is
 *   thrown to the caller, who tells the mall; the attempt stays recorded.
 */
export async function compensateRun<D>(deps: RunnerDeps<D>, workflow: Workflow<any, D>, run: RunRow, mode: 'background' | 'held'): Promise<RunResult> {
  const goal = run.goal ?? 'fail';
  const reason = run.reason ?? '';
  const now = () => deps.clock.now();
  for (let i = 0; i < MAX_COMPENSATIONS_PER_JOB; i++) {
    const next = await store.nextCompensation(deps.em.fork(), run.id);
    if (!next) return end(deps, workflow, run, goal, reason, mode);
    const row = next.row ?? (await store.beginCompensation(deps.em.fork(), run, next, now()));
    if (!row) return lost(run, next.step, mode);
    const step = workflow.steps.find((s) => s.id === next.step);
    const ctx: CompensationContext = { runId: run.id, subjectId: run.subject_id, em: deps.em.fork(), clock: deps.clock, goal, reason, attempt: row.attempts };
    let outcome: CompensationOutcome | void;
    try {
      if (!step?.compensate) throw Object.assign(new Error(`step ${next.step} of ${workflow.id} recorded a compensation input but has no compensation`), { retryable: false });
      outcome = await step.compensate(next.input, ctx, deps.services);
    } catch (err) {
      const attempts = row.attempts + 1;
      const error = `compensation of ${next.step}: ${errorText(err)}`;
      if (mode === 'held') {
        await deps.em.fork().transactional((tx) => store.abandonCancellation(tx, run, row.seq, attempts, error, now()));
        throw err;
      }
      const permanent = isPermanent(err) || !step?.compensate;
      if (!permanent && attempts < deps.config.maxAttempts) {
        const wait = backoff(deps.config, attempts, err);
        if (!(await deps.em.fork().transactional((tx) => store.retryCompensationLater(tx, run, row.seq, attempts, error, now(), wait)))) return lost(run, next.step, mode);
        await deps.schedule(run.id, run.wakes + 1, wait);
        return { runId: run.id, status: 'compensating', step: next.step };
      }
      const then = goal === 'cancel' && permanent ? 'resume' : 'dead';
      if (!(await deps.em.fork().transactional((tx) => store.compensationGaveUp(tx, run, row.seq, attempts, error, now(), then)))) return lost(run, next.step, mode);
      if (then === 'resume') await deps.schedule(run.id, run.wakes + 1, 0);
      return { runId: run.id, status: then === 'dead' ? 'dead' : 'resumed', step: next.step };
    }
    try {
      await deps.em.fork().transactional(async (tx) => {
        await outcome?.commit?.(tx);
        if (!(await store.compensationDone(tx, run, row.seq, row.attempts + 1, outcome?.output ?? {}, now()))) throw new LeaseLost(run.id);
      });
    } catch (err) {
      if (err instanceof LeaseLost) return lost(run, next.step, mode);
      throw err;
    }
  }
  // A long chain of compensations: let other runs have the worker, come back at once.
  if (await store.releaseRun(deps.em.fork(), run, now(), 0)) await deps.schedule(run.id, run.wakes + 1, 0);
  return { runId: run.id, status: 'compensating' };
}

/** All compensations done: the run ends, with the workflow's last word, in one transaction. */
async function end<D>(deps: RunnerDeps<D>, workflow: Workflow<any, D>, run: RunRow, goal: 'fail' | 'cancel', reason: string, mode: 'background' | 'held'): Promise<RunResult> {
  const status = goal === 'fail' ? 'failed' : 'cancelled';
  const ctx: EndContext<any> = { runId: run.id, subjectId: run.subject_id, state: run.state, clock: deps.clock, reason };
  try {
    await deps.em.fork().transactional(async (tx) => {
      if (!(await store.endCompensated(tx, run, status, deps.clock.now()))) throw new LeaseLost(run.id);
      await (goal === 'fail' ? workflow.onFailed : workflow.onCancelled)?.(tx, ctx, deps.services);
    });
  } catch (err) {
    if (err instanceof LeaseLost) return lost(run, undefined, mode);
    if (mode === 'held') throw err;
    // The last word cannot be written (a bug, or a line moved where it may not go): an operator looks.
    await store.deadWhileCompensating(deps.em.fork(), run, `ending the run ${status}: ${errorText(err)}`, deps.clock.now());
    return { runId: run.id, status: 'dead' };
  }
  return { runId: run.id, status };
}

function lost(run: RunRow, step: string | undefined, mode: 'background' | 'held'): RunResult {
  if (mode === 'held') throw new LeaseLost(run.id);
  return { runId: run.id, status: 'lease_lost', ...(step ? { step } : {}) };
}
