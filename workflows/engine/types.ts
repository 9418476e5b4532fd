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

/** One step: an idempotent forward action and, where one exists, its compensation. */
export interface Step<S, D> {
  id: string;
  run(ctx: StepContext<S>, deps: D): Promise<StepOutcome<S>>;
  /**
   * Undoes what the step did, when a later step fails for good. Starts with a guard so a second
   * call does nothing; a step that cannot be undone says so by having none.
   */
  compensate?(ctx: StepContext<S>, deps: D): Promise<void>;
}

/** A workflow: its steps by id (the first runs first) and what to do when a run dies. */
export interface Workflow<S, D> {
  id: string;
  steps: Step<S, D>[];
  /** Called once when a run is given up (attempts exhausted or a permanent error), after compensations. */
  onDead?(ctx: StepContext<S>, deps: D, error: string): Promise<void>;
}
