import type { EntityManager } from '@mikro-orm/postgresql';
import type { CompensationGoal } from './types.ts';

/**
 * The only code that reads or writes `workflow_run` and `workflow_step` (a test scans the tree
 * for any other). Every write of a run being executed is fenced by its lease: it applies only
 * while `lease_until` still equals the lease the writer took, so a worker (or a cancellation)
 * whose lease ran out never writes over the one that took the run after it.
 */

export interface RunRow {
  id: string;
  workflow: string;
  subject_id: string;
  status: string;
  step: string;
  state: Record<string, unknown>;
  attempt: number;
  wakes: number;
  goal: CompensationGoal | null;
  reason: string | null;
  /** The lease this execution holds. */
  lease: Date;
}

export type Tx = EntityManager;

const RUN_COLUMNS = 'id, workflow, subject_id, status, step, state, attempt, wakes, goal, reason';
const LIVE = "('pending', 'running', 'waiting', 'compensating')";

function exec<T = unknown>(em: EntityManager, sql: string, params: unknown[], method: 'all' | 'run' = 'all'): Promise<T> {
  return em.getConnection().execute(sql, params, method, em.getTransactionContext()) as Promise<T>;
}
const affected = (res: unknown) => Number((res as { affectedRows?: number }).affectedRows ?? 0);

/**
 * The statement that starts runs, for a caller that creates their subjects in one statement (order
 * intake): `insert … select` from `source`, a relation with the named columns.
 */
export function insertRunsFrom(source: string, cols: { id: string; workflow: string; subject: string; tenant: string; at: string }): string {
  return `insert into workflow_run (id, workflow, subject_id, tenant, status, step, next_run_at, created_at, updated_at)
       select ${cols.id}, ${cols.workflow}, ${cols.subject}, ${cols.tenant}, 'pending', 'start', ${cols.at}, ${cols.at}, ${cols.at} from ${source}`;
}

/**
 * Starts one run of a workflow on a subject, in the caller's transaction, due now with the given
 * state: the run exists exactly when the change that needs it (a ticket) committed. The caller
 * puts its first wake-up in the same transaction's outbox.
 */
export async function insertRun(tx: Tx, r: { id: string; workflow: string; subjectId: string; tenant: string; state?: Record<string, unknown> }, now: Date): Promise<void> {
  await exec(
    tx,
    `insert into workflow_run (id, workflow, subject_id, tenant, status, step, state, next_run_at, created_at, updated_at)
     values (?, ?, ?, ?, 'pending', 'start', ?, ?, ?, ?)`,
    [r.id, r.workflow, r.subjectId, r.tenant, JSON.stringify(r.state ?? {}), now, now, now],
    'run',
  );
}

/**
 * Takes a run for execution when it is due and nobody holds it. Taking over a run still marked
 * running means its last worker died mid-step: that counts as an attempt, so the step knows to
 * look up what the dead worker may have done (a submit). A compensating run stays compensating.
 */
export async function leaseRun(em: EntityManager, runId: string, now: Date, lease: Date): Promise<RunRow | undefined> {
  const [row] = await exec<Omit<RunRow, 'lease'>[]>(
    em,
    `update workflow_run set status = case when status = 'compensating' then 'compensating' else 'running' end, lease_until = ?, updated_at = ?,
       attempt = case when status = 'running' then attempt + 1 else attempt end
     where id = ? and status in ${LIVE} and (lease_until is null or lease_until <= ?) and (next_run_at is null or next_run_at <= ?)
     returning ${RUN_COLUMNS}`,
    [lease, now, runId, now, now],
  );
  return row ? { ...row, lease } : undefined;
}

/**
 * Takes the live run of a subject away from the workers for a synchronous action (a mall's
 * cancellation), due or not; 'busy' when a worker holds it, null when the subject has no live run.
 */
export async function holdSubjectRun(em: EntityManager, subjectId: string, now: Date, lease: Date): Promise<RunRow | 'busy' | null> {
  const [row] = await exec<Omit<RunRow, 'lease'>[]>(
    em,
    `update workflow_run set lease_until = ? where subject_id = ? and status in ${LIVE} and (lease_until is null or lease_until <= ?) returning ${RUN_COLUMNS}`,
    [lease, subjectId, now],
  );
  if (row) return { ...row, lease };
  const [held] = await exec<{ n: string }[]>(em, `select count(*)::text n from workflow_run where subject_id = ? and status in ${LIVE}`, [subjectId]);
  return held?.n === '0' ? null : 'busy';
}

/** Extends a held lease from now; the new lease, or null when the run is no longer the holder's. */
export async function renewLease(em: EntityManager, run: RunRow, lease: Date): Promise<Date | null> {
  const [row] = await exec<{ lease_until: Date }[]>(em, 'update workflow_run set lease_until = ? where id = ? and lease_until = ? returning lease_until', [lease, run.id, run.lease]);
  return row?.lease_until ?? null;
}

/** Lets a held run go without changing it (a worker may take it at once). */
export async function letGo(em: EntityManager, run: RunRow): Promise<void> {
  await exec(em, 'update workflow_run set lease_until = null where id = ? and lease_until = ?', [run.id, run.lease], 'run');
}

/** Merges keys into a held run's state (a null value removes the key); false when the run is no longer the holder's. */
export async function patchState(em: EntityManager, run: RunRow, patch: Record<string, unknown>, now: Date): Promise<boolean> {
  const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null && v !== undefined));
  const drop = Object.keys(patch).filter((k) => patch[k] === null || patch[k] === undefined);
  const res = await exec(em, 'update workflow_run set state = (state || ?::jsonb) - array(select jsonb_array_elements_text(?::jsonb)), updated_at = ? where id = ? and lease_until = ?', [JSON.stringify(set), JSON.stringify(drop), now, run.id, run.lease], 'run');
  return affected(res) > 0;
}

/** One finished execution of a step, recorded on a run (the step's record and the run's move, in one statement). */
export interface StepRecord {
  step: string;
  output: Record<string, unknown>;
  compensateInput: Record<string, unknown> | undefined;
  attempts: number;
  startedAt: Date;
}
export interface RunMove {
  step: string;
  state: Record<string, unknown>;
  status: 'running' | 'waiting' | 'succeeded';
  wakes: number;
  nextRunAt: Date | null;
  lease: Date | null;
  now: Date;
}

/** Records a finished step and moves the run on, in the caller's transaction; false when the lease was lost (the caller rolls back). */
export async function recordStep(tx: Tx, run: RunRow, rec: StepRecord, move: RunMove): Promise<boolean> {
  const res = await exec(
    tx,
    `with s as (
       insert into workflow_step (run_id, seq, step, status, output, compensate_input, attempts, started_at, finished_at)
       values (?, coalesce((select max(seq) from workflow_step where run_id = ?), 0) + 1, ?, 'succeeded', ?, ?, ?, ?, ?)
     )
     update workflow_run set step = ?, state = ?, status = ?, attempt = 0, wakes = ?, last_error = null, updated_at = ?, next_run_at = ?, lease_until = ?
     where id = ? and lease_until = ?`,
    [run.id, run.id, rec.step, JSON.stringify(rec.output), rec.compensateInput ? JSON.stringify(rec.compensateInput) : null, rec.attempts, rec.startedAt, move.now,
      move.step, JSON.stringify(move.state), move.status, move.wakes, move.now, move.nextRunAt, move.lease, run.id, run.lease],
    'run',
  );
  return affected(res) > 0;
}

/**
 * Records what a step did although no execution of it finished (a submit whose answer was lost,
 * found later by its reference): a succeeded row with its compensation input, so a compensation
 * undoes it. The run stays where it is. False when the lease was lost.
 */
export async function adoptStep(tx: Tx, run: RunRow, step: string, output: Record<string, unknown>, compensateInput: Record<string, unknown>, now: Date): Promise<boolean> {
  const res = await exec(
    tx,
    `insert into workflow_step (run_id, seq, step, status, output, compensate_input, attempts, started_at, finished_at)
     select ?, coalesce((select max(seq) from workflow_step where run_id = ?), 0) + 1, ?, 'succeeded', ?, ?, 0, ?, ?
     where exists (select 1 from workflow_run where id = ? and lease_until = ?)`,
    [run.id, run.id, step, JSON.stringify({ ...output, adopted: true }), JSON.stringify(compensateInput), now, now, run.id, run.lease],
    'run',
  );
  return affected(res) > 0;
}

/** A step failed and will be tried again after `wait`; false when the lease was lost. */
export async function retryStepLater(em: EntityManager, run: RunRow, attempts: number, error: string, now: Date, wait: number): Promise<boolean> {
  const res = await exec(
    em,
    "update workflow_run set status = 'waiting', attempt = ?, wakes = wakes + 1, last_error = ?, next_run_at = ?, lease_until = null, updated_at = ? where id = ? and lease_until = ?",
    [attempts, error, new Date(now.getTime() + wait), now, run.id, run.lease],
    'run',
  );
  return affected(res) > 0;
}

/** Gives the worker back between long chains of steps: the run is due again after `delayMs`. */
export async function releaseRun(em: EntityManager, run: RunRow, now: Date, delayMs: number): Promise<boolean> {
  const res = await exec(
    em,
    "update workflow_run set status = case when status = 'compensating' then 'compensating' else 'waiting' end, wakes = wakes + 1, lease_until = null, next_run_at = ?, updated_at = ? where id = ? and lease_until = ?",
    [new Date(now.getTime() + delayMs), now, run.id, run.lease],
    'run',
  );
  return affected(res) > 0;
}

/** A failed forward step, recorded with the run's new status (dead, or compensating towards `goal`); false when the lease was lost. */
export async function failStep(
  tx: Tx,
  run: RunRow,
  failure: { step: string; attempts: number; error: string; startedAt: Date; now: Date },
  then: { status: 'dead' } | { status: 'compensating'; goal: CompensationGoal; lease: Date },
): Promise<boolean> {
  const res = await exec(
    tx,
    `update workflow_run set status = ?, goal = ?, reason = ?, attempt = ?, last_error = ?, lease_until = ?, next_run_at = null, updated_at = ?
     where id = ? and lease_until = ?`,
    [then.status, then.status === 'compensating' ? then.goal : null, then.status === 'compensating' ? failure.error : null, failure.attempts, failure.error,
      then.status === 'compensating' ? then.lease : null, failure.now, run.id, run.lease],
    'run',
  );
  if (!affected(res)) return false;
  await exec(
    tx,
    `insert into workflow_step (run_id, seq, step, status, output, attempts, error, started_at, finished_at)
     values (?, coalesce((select max(seq) from workflow_step where run_id = ?), 0) + 1, ?, 'failed', '{}', ?, ?, ?, ?)`,
    [run.id, run.id, failure.step, Math.max(1, failure.attempts), failure.error, failure.startedAt, failure.now],
    'run',
  );
  return true;
}

/** Starts compensating a held run towards `goal` (a cancellation); false when the lease was lost. */
export async function startCompensating(em: EntityManager, run: RunRow, goal: CompensationGoal, reason: string, now: Date): Promise<boolean> {
  const res = await exec(
    em,
    "update workflow_run set status = 'compensating', goal = ?, reason = ?, attempt = 0, updated_at = ? where id = ? and lease_until = ?",
    [goal, reason, now, run.id, run.lease],
    'run',
  );
  return affected(res) > 0;
}

/** The compensation to run next: the last finished step not yet compensated, with its row in progress if one was begun. */
export interface PendingCompensation {
  /** seq of the forward step being undone. */
  compensates: number;
  step: string;
  input: Record<string, unknown>;
  /** The compensation's own row, when it was begun (a worker died, or it failed and is retried). */
  row: { seq: number; attempts: number } | null;
}

export async function nextCompensation(em: EntityManager, runId: string): Promise<PendingCompensation | null> {
  const [row] = await exec<{ seq: number; step: string; compensate_input: Record<string, unknown>; row_seq: number | null; row_attempts: number | null }[]>(
    em,
    `select f.seq, f.step, f.compensate_input, c.seq row_seq, c.attempts row_attempts
     from workflow_step f
     left join workflow_step c on c.run_id = f.run_id and c.compensates = f.seq and c.status = 'compensating'
     where f.run_id = ? and f.status = 'succeeded' and f.compensate_input is not null
       and not exists (select 1 from workflow_step d where d.run_id = f.run_id and d.compensates = f.seq and d.status = 'compensated')
     order by f.seq desc limit 1`,
    [runId],
  );
  if (!row) return null;
  return { compensates: row.seq, step: row.step, input: row.compensate_input, row: row.row_seq === null ? null : { seq: row.row_seq, attempts: row.row_attempts ?? 0 } };
}

/** Records, before it is tried, that a compensation began (`compensating`): its row, or null when the lease was lost. */
export async function beginCompensation(em: EntityManager, run: RunRow, c: PendingCompensation, now: Date): Promise<{ seq: number; attempts: number } | null> {
  const [row] = await exec<{ seq: number }[]>(
    em,
    `insert into workflow_step (run_id, seq, step, status, output, attempts, started_at, finished_at, compensates)
     select ?, coalesce((select max(seq) from workflow_step where run_id = ?), 0) + 1, ?, 'compensating', '{}', 0, ?, ?, ?
     where exists (select 1 from workflow_run where id = ? and lease_until = ?)
     returning seq`,
    [run.id, run.id, c.step, now, now, c.compensates, run.id, run.lease],
  );
  return row ? { seq: row.seq, attempts: 0 } : null;
}

/** A compensation done: its row `compensated`, in the caller's transaction with its writes; false when the lease was lost. */
export async function compensationDone(tx: Tx, run: RunRow, seq: number, attempts: number, output: Record<string, unknown>, now: Date): Promise<boolean> {
  const res = await exec(
    tx,
    `update workflow_step set status = 'compensated', attempts = ?, output = ?, error = null, finished_at = ?
     where run_id = ? and seq = ? and exists (select 1 from workflow_run where id = ? and lease_until = ?)`,
    [attempts, JSON.stringify(output), now, run.id, seq, run.id, run.lease],
    'run',
  );
  return affected(res) > 0;
}

/** A compensation failed and will be tried again after `wait` (the run stays compensating); false when the lease was lost. */
export async function retryCompensationLater(tx: Tx, run: RunRow, seq: number, attempts: number, error: string, now: Date, wait: number): Promise<boolean> {
  const res = await exec(
    tx,
    "update workflow_run set wakes = wakes + 1, last_error = ?, next_run_at = ?, lease_until = null, updated_at = ? where id = ? and lease_until = ? and status = 'compensating'",
    [error, new Date(now.getTime() + wait), now, run.id, run.lease],
    'run',
  );
  if (!affected(res)) return false;
  await exec(tx, 'update workflow_step set attempts = ?, error = ?, finished_at = ? where run_id = ? and seq = ?', [attempts, error, now, run.id, seq], 'run');
  return true;
}

/**
 * A compensation given up: its row `compensation_failed`, and the run either dead (an operator
 * looks at it; replay tries the compensation again) or, for a cancellation the supplier refused,
 * back to its forward work with the cancellation dropped. False when the lease was lost.
 */
export async function compensationGaveUp(tx: Tx, run: RunRow, seq: number, attempts: number, error: string, now: Date, then: 'dead' | 'resume'): Promise<boolean> {
  const res = await exec(
    tx,
    then === 'dead'
      ? "update workflow_run set status = 'dead', last_error = ?, lease_until = null, next_run_at = null, updated_at = ? where id = ? and lease_until = ?"
      : "update workflow_run set status = 'waiting', goal = null, reason = null, state = state - 'cancelRequested', last_error = ?, attempt = 0, wakes = wakes + 1, lease_until = null, next_run_at = ?, updated_at = ? where id = ? and lease_until = ?",
    then === 'dead' ? [error, now, run.id, run.lease] : [error, now, now, run.id, run.lease],
    'run',
  );
  if (!affected(res)) return false;
  await exec(tx, "update workflow_step set status = 'compensation_failed', attempts = ?, error = ?, finished_at = ? where run_id = ? and seq = ?", [attempts, error, now, run.id, seq], 'run');
  return true;
}

/**
 * A synchronous cancellation that could not finish (its caller answers the mall now): the run
 * goes back to its forward work as it was, holder keeps the lease, the compensation row says why.
 */
export async function abandonCancellation(tx: Tx, run: RunRow, seq: number | null, attempts: number, error: string, now: Date): Promise<boolean> {
  const res = await exec(
    tx,
    'update workflow_run set status = ?, goal = null, reason = null, attempt = ?, updated_at = ? where id = ? and lease_until = ?',
    [run.status === 'compensating' ? 'waiting' : run.status, run.attempt, now, run.id, run.lease],
    'run',
  );
  if (!affected(res)) return false;
  if (seq !== null) await exec(tx, "update workflow_step set status = 'compensation_failed', attempts = ?, error = ?, finished_at = ? where run_id = ? and seq = ?", [attempts, error, now, run.id, seq], 'run');
  return true;
}

/** Ends a run whose compensations are done (`failed` or `cancelled`), in the caller's transaction; false when the lease was lost. */
export async function endCompensated(tx: Tx, run: RunRow, status: 'failed' | 'cancelled', now: Date): Promise<boolean> {
  const res = await exec(
    tx,
    "update workflow_run set status = ?, lease_until = null, next_run_at = null, updated_at = ? where id = ? and lease_until = ? and status = 'compensating'",
    [status, now, run.id, run.lease],
    'run',
  );
  return affected(res) > 0;
}

/** Puts a dead run back to work where it died: its forward step, or the compensation that was given up. Null when it is not dead. */
export async function replayDead(em: EntityManager, runId: string, now: Date): Promise<{ wakes: number; phase: 'forward' | 'compensation' } | null> {
  const [row] = await exec<{ wakes: number; goal: string | null }[]>(
    em,
    `update workflow_run set status = case when goal is null then 'waiting' else 'compensating' end, attempt = 0, wakes = wakes + 1, next_run_at = ?, updated_at = ?
     where id = ? and status = 'dead' returning wakes, goal`,
    [now, now, runId],
  );
  return row ? { wakes: row.wakes, phase: row.goal ? 'compensation' : 'forward' } : null;
}

/** Gives up a dead run's forward work for good: it compensates towards failure. Null when it is not dead or already compensating. */
export async function abortDead(em: EntityManager, runId: string, reason: string, now: Date): Promise<{ wakes: number } | null> {
  const [row] = await exec<{ wakes: number }[]>(
    em,
    `update workflow_run set status = 'compensating', goal = 'fail', reason = ?, attempt = 0, wakes = wakes + 1, next_run_at = ?, updated_at = ?
     where id = ? and status = 'dead' and goal is null returning wakes`,
    [reason, now, now, runId],
  );
  return row ?? null;
}

/** A run's status and goal (for a 404 / 409 answer). */
export async function runStatus(em: EntityManager, runId: string): Promise<{ status: string; goal: string | null } | null> {
  const [row] = await exec<{ status: string; goal: string | null }[]>(em, 'select status, goal from workflow_run where id = ?', [runId]);
  return row ?? null;
}

/**
 * Wakes runs that should be running but have no live worker or queued job (Redis lost it, a
 * worker died holding it): each gets a new wake count, hence a new job id.
 */
export async function dueRuns(em: EntityManager, now: Date, limit: number): Promise<{ id: string; wakes: number }[]> {
  return exec(
    em,
    `update workflow_run set wakes = wakes + 1 where id in (
       select id from workflow_run
       where status in ${LIVE} and (next_run_at is null or next_run_at <= ?) and (lease_until is null or lease_until <= ?)
       order by next_run_at nulls first limit ?)
     returning id, wakes`,
    [now, now, limit],
  );
}

/** Makes a subject's waiting runs due now (an event says there is news); the runs woken. */
export async function wakeSubject(em: EntityManager, subjectId: string, now: Date): Promise<{ id: string; wakes: number }[]> {
  return exec(em, "update workflow_run set wakes = wakes + 1, next_run_at = ?, updated_at = ? where subject_id = ? and status = 'waiting' returning id, wakes", [now, now, subjectId]);
}

export interface DeadRunRow {
  id: string;
  workflow: string;
  subject_id: string;
  tenant: string | null;
  step: string;
  attempt: number;
  goal: CompensationGoal | null;
  last_error: string | null;
  updated_at: Date;
}

/** Dead runs, newest id first, of one tenant or all, after a cursor. */
export async function deadRuns(em: EntityManager, q: { tenant?: string | undefined; before?: string | undefined; limit: number }): Promise<DeadRunRow[]> {
  return exec(
    em,
    `select id, workflow, subject_id, tenant, step, attempt, goal, last_error, updated_at from workflow_run
     where status = 'dead' and (?::text is null or tenant = ?) and (?::text is null or id < ?)
     order by id desc limit ?`,
    [q.tenant ?? null, q.tenant ?? null, q.before ?? null, q.before ?? null, q.limit],
  );
}

/** A run's history: its steps and compensations in order (for an operator, and for tests). */
export async function runSteps(
  em: EntityManager,
  runId: string,
): Promise<{ seq: number; step: string; status: string; compensates: number | null; attempts: number; error: string | null; output: Record<string, unknown>; started_at: Date; finished_at: Date }[]> {
  return exec(em, 'select seq, step, status, compensates, attempts, error, output, started_at, finished_at from workflow_step where run_id = ? order by seq', [runId]);
}

/** A compensating run that cannot end (its last word failed for good): dead, goal kept, so a replay finishes the same undo. */
export async function deadWhileCompensating(em: EntityManager, run: RunRow, error: string, now: Date): Promise<boolean> {
  const res = await exec(
    em,
    "update workflow_run set status = 'dead', last_error = ?, lease_until = null, next_run_at = null, updated_at = ? where id = ? and lease_until = ? and status = 'compensating'",
    [error, now, run.id, run.lease],
    'run',
  );
  return affected(res) > 0;
}

/** A run as an operator reads it: where it is, and why it waits or died. */
export interface SubjectRunRow {
  id: string;
  workflow: string;
  subject_id: string;
  status: string;
  step: string;
  attempt: number;
  goal: CompensationGoal | null;
  last_error: string | null;
  next_run_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The runs of some subjects (the lines of an order, its tickets), oldest first. By `(workflow,
 * subject_id)`, the unique index's order: the caller names the workflows it looks for.
 */
export async function subjectRuns(em: EntityManager, subjectIds: readonly string[], workflows: readonly string[]): Promise<SubjectRunRow[]> {
  if (!subjectIds.length || !workflows.length) return [];
  return exec(
    em,
    `select id, workflow, subject_id, status, step, attempt, goal, last_error, next_run_at, created_at, updated_at from workflow_run
     where workflow in (select jsonb_array_elements_text(?::jsonb)) and subject_id in (select jsonb_array_elements_text(?::jsonb)) order by created_at, id`,
    [JSON.stringify(workflows), JSON.stringify(subjectIds)],
  );
}

/**
 * Sends a held run to another step of its workflow (an operator's reroute), due now with fresh
 * attempts, its state patched (a null value removes a key) and the hold ended (lease cleared), so
 * a worker takes it at the next wake-up. Refused (null) when the hold was lost or the run is
 * being compensated. Returns the run's new wake count, for the caller to queue it.
 */
export async function redirectHeld(tx: Tx, run: RunRow, step: string, patch: Record<string, unknown>, now: Date): Promise<{ wakes: number } | null> {
  const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null && v !== undefined));
  const drop = Object.keys(patch).filter((k) => patch[k] === null || patch[k] === undefined);
  const [row] = await exec<{ wakes: number }[]>(
    tx,
    `update workflow_run set step = ?, state = (state || ?::jsonb) - array(select jsonb_array_elements_text(?::jsonb)), status = 'waiting', attempt = 0,
       wakes = wakes + 1, last_error = null, next_run_at = ?, lease_until = null, updated_at = ?
     where id = ? and lease_until = ? and status <> 'compensating' and goal is null returning wakes`,
    [step, JSON.stringify(set), JSON.stringify(drop), now, now, run.id, run.lease],
  );
  return row ?? null;
}
