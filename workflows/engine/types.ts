import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../src/domain/clock.ts';

/** What a step decides once its work (supplier calls, reads) is done. */
export type StepOutcome<S> = (
  | { next: string } // go on with this step now
  | { wait: number; next?: string } // come back after this many ms (polling, waiting for events), at `next` or the same step
  | { done: true } // the run succeeded
) & {
  /** Changes to the run's state, saved with the step. */
  state?: Partial<S>;
  /** Writes that belong to this step (line status, ledger, mall events), committed in the same transaction as its record; may add to the state. */
  commit?: (tx: EntityManager) => Promise<Partial<S> | void>;
  /** A short summary kept on the step's row (ids, statuses: never personal data). */
  output?: Record<string, unknown>;
  /**
   * What the step's compensation needs to undo what this execution did (ids, never the whole
   * state), recorded with the step (Medusa's `StepResponse(output, compensateInput)`). Absent:
   * this execution left nothing to undo, and its compensation is not run.
   */
  compensateInput?: Record<string, unknown>;
};

/** What a step gets: the run's id, subject and state, and the clock. Steps read with `em`, write only through `commit`. */
export interface StepContext<S> {
  runId: string;
  subjectId: string;
  state: S;
  em: EntityManager;
  clock: Clock;
  /** Attempts of this step so far (0 on the first). */
  attempt: number;
}

/** Why a run is being compensated: it failed for good, or it was cancelled. */
export type CompensationGoal = 'fail' | 'cancel';

/** What a compensation gets: never the run's state, only the input its forward step recorded (passed alongside). */
export interface CompensationContext {
  runId: string;
  subjectId: string;
  em: EntityManager;
  clock: Clock;
  goal: CompensationGoal;
  /** The failure or the cancellation's reason. */
  reason: string;
  /** Attempts of this compensation so far (0 on the first). */
  attempt: number;
}

/** What a compensation did: its writes (committed with its record) and a summary for its row. */
export interface CompensationOutcome {
  commit?: (tx: EntityManager) => Promise<void>;
  output?: Record<string, unknown>;
}

/** One step: an idempotent forward action and, where one exists, its compensation. */
export interface Step<S, D> {
  id: string;
  run(ctx: StepContext<S>, deps: D): Promise<StepOutcome<S>>;
  /**
   * Undoes what one finished execution of the step did, given the `compensateInput` it recorded.
   * Starts with a guard so a second call does nothing (a worker may die between the undo and its
   * record). Throws a retryable error to be tried again with backoff, a permanent one when it
   * cannot be undone (the run then waits in the dead-letter list). A step that cannot be undone
   * has none.
   */
  compensate?(input: Record<string, unknown>, ctx: CompensationContext, deps: D): Promise<CompensationOutcome | void>;
  /**
   * What the engine does when this step's retries run out (a permanent error always compensates):
   * `compensate` (the default) when the hub knows everything the step may have done; `hold` when
   * the supplier may hold something the hub cannot see or undo (a submit whose answer never came,
   * a recharge being issued, a parcel on its way): the run then goes to the dead-letter list for
   * an operator to replay or abort, instead of refunding a member who may still be served.
   */
  whenRetriesRunOut?: 'compensate' | 'hold';
}

/** What a workflow's last word gets, in the transaction that ends a compensated run. */
export interface EndContext<S> {
  runId: string;
  subjectId: string;
  state: S;
  clock: Clock;
  reason: string;
}

/** A workflow: its steps by id (the first runs first) and the last word of a run compensated to its end. */
export interface Workflow<S, D> {
  id: string;
  steps: Step<S, D>[];
  /** Written with the run's end once a failed run's compensations are all done (the line failed, the mall told). */
  onFailed?(tx: EntityManager, ctx: EndContext<S>, deps: D): Promise<void>;
  /** Written with the run's end once a cancelled run's compensations are all done. */
  onCancelled?(tx: EntityManager, ctx: EndContext<S>, deps: D): Promise<void>;
}
