import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../src/domain/clock.ts';
import type { RunnerDeps } from './deps.ts';
import * as store from './store.ts';

type Schedule = RunnerDeps<unknown>['schedule'];

/** Why an operator's action on a run was refused: none such, or not in a state it applies to. */
export type RefusedAction = { refused: 'not_found' } | { refused: 'wrong_state'; status: string; goal: string | null };

/** Puts a dead run back to work where it died (its forward step, or the compensation given up) and queues it. */
export async function replayRun(em: EntityManager, clock: Clock, schedule: Schedule, runId: string): Promise<{ phase: 'forward' | 'compensation' } | RefusedAction> {
  const replayed = await store.replayDead(em, runId, clock.now());
  if (!replayed) return refusal(em, runId);
  await schedule(runId, replayed.wakes, 0);
  return { phase: replayed.phase };
}

/**
 * Gives up a dead run's forward work: its finished steps are compensated in reverse order and it
 * ends failed (for a line: cancelled at its supplier, failed, the mall told to refund). Only a
 * run that died forward; one that died compensating is replayed instead.
 */
export async function abortRun(em: EntityManager, clock: Clock, schedule: Schedule, runId: string, reason: string): Promise<{ aborted: true } | RefusedAction> {
  const aborted = await store.abortDead(em, runId, reason, clock.now());
  if (!aborted) return refusal(em, runId);
  await schedule(runId, aborted.wakes, 0);
  return { aborted: true };
}

async function refusal(em: EntityManager, runId: string): Promise<RefusedAction> {
  const run = await store.runStatus(em, runId);
  return run ? { refused: 'wrong_state', status: run.status, goal: run.goal } : { refused: 'not_found' };
}

/** Runs given up (the dead-letter list), newest first, of one tenant or all. */
export async function listDeadRuns(em: EntityManager, q: { tenant?: string | undefined; before?: string | undefined; limit: number }) {
  return store.deadRuns(em, q);
}

/** Asks a subject's waiting runs to go on now (instead of at their next poll): an event says there is news. A run busy right now is left alone. */
export async function wakeSubjectRuns(em: EntityManager, clock: Clock, schedule: Schedule, subjectId: string): Promise<boolean> {
  const rows = await store.wakeSubject(em, subjectId, clock.now());
  for (const r of rows) await schedule(r.id, r.wakes, 0);
  return rows.length > 0;
}

/** A run's steps and compensations in order. */
export const runHistory = store.runSteps;

/**
 * The runs of some subjects (the lines of an order, its tickets) of the named workflows, oldest
 * first: where each is, and why it waits or died. For operators' views; their steps come from
 * `runHistory`.
 */
export async function runsOfSubject(em: EntityManager, subjectIds: readonly string[], workflows: readonly string[]): Promise<store.SubjectRunRow[]> {
  return store.subjectRuns(em, subjectIds, workflows);
}
