import type { EntityManager } from '@mikro-orm/postgresql';
import { compensateRun } from './compensation.ts';
import { LeaseLost, type RunnerDeps } from './deps.ts';
import * as store from './store.ts';
import type { RunRow } from './store.ts';

/** How often, and how long, to wait for a worker executing a run to let go of it. */
const BUSY_RETRY_MS = 100;

/**
 * A subject's live run taken away from the workers for a synchronous action the caller answers
 * now (a mall cancelling a line): while held no worker moves it, and every write made through
 * the hold applies only while the hold is still the run's (a worker takes the run over once the
 * lease runs out). Always `release()` in a finally.
 */
export class RunHold<D> {
  readonly #deps: RunnerDeps<D>;
  #run: RunRow;

  constructor(deps: RunnerDeps<D>, run: RunRow) {
    this.#deps = deps;
    this.#run = run;
  }

  get runId(): string {
    return this.#run.id;
  }
  get state(): Record<string, unknown> {
    return this.#run.state;
  }
  /** What the run is being compensated towards, if it already is (a cancellation whose caller died, a failure). */
  get goal(): 'fail' | 'cancel' | null {
    return this.#run.goal;
  }

  /** Extends the hold from now; false when it is no longer ours. */
  async renew(): Promise<boolean> {
    const lease = await store.renewLease(this.#deps.em.fork(), this.#run, new Date(this.#deps.clock.now().getTime() + this.#deps.config.leaseMs));
    if (lease) this.#run = { ...this.#run, lease };
    return lease !== null;
  }

  /** Merges keys into the run's state (null removes one), with the caller's own writes in the same transaction; false when the hold was lost. */
  async note(patch: Record<string, unknown>, commit?: (tx: EntityManager) => Promise<void>): Promise<boolean> {
    const ok = await this.#deps.em.fork().transactional(async (tx) => {
      if (!(await store.patchState(tx, this.#run, patch, this.#deps.clock.now()))) return false;
      await commit?.(tx);
      return true;
    });
    if (ok) this.#run = { ...this.#run, state: withPatch(this.#run.state, patch) };
    return ok;
  }

  /**
   * Records that a step's effect exists although no execution of it finished (a submit whose
   * answer was lost, found by its reference), with what its compensation needs: a cancellation
   * then undoes it like any finished step. False when the hold was lost.
   */
  async adopt(step: string, compensateInput: Record<string, unknown>, patch: Record<string, unknown>, commit?: (tx: EntityManager) => Promise<void>): Promise<boolean> {
    const now = this.#deps.clock.now();
    const ok = await this.#deps.em.fork().transactional(async (tx) => {
      if (!(await store.patchState(tx, this.#run, patch, now))) return false;
      await store.adoptStep(tx, this.#run, step, {}, compensateInput, now);
      await commit?.(tx);
      return true;
    });
    if (ok) this.#run = { ...this.#run, state: withPatch(this.#run.state, patch) };
    return ok;
  }

  /**
   * Cancels the run: its finished steps are compensated in reverse order, then it ends
   * `cancelled` with its workflow's last word, all recorded. Throws what a compensation threw
   * (the run is then back as it was, the attempt recorded) or LeaseLost.
   */
  async cancel(reason: string): Promise<void> {
    const workflow = this.#deps.workflows.get(this.#run.workflow);
    if (!workflow) throw new Error(`unknown workflow ${this.#run.workflow}`);
    if (!(await store.startCompensating(this.#deps.em.fork(), this.#run, 'cancel', reason, this.#deps.clock.now()))) throw new LeaseLost(this.#run.id);
    await compensateRun(this.#deps, workflow, { ...this.#run, goal: 'cancel', reason }, 'held');
  }

  /**
   * Sends the run to another step of its workflow and lets it go (an operator's reroute: a line
   * back to choosing its source once the caller has given up its attempt), with a state patch
   * (null removes a key) and the caller's own writes (the attempt, the audit entry) in one
   * transaction fenced by the hold; then queues it at once. The run's finished steps stay as
   * recorded: their compensations are guarded (an attempt given up has nothing left to undo).
   * Not for a run being compensated (`goal` set). False when the hold was lost (nothing written).
   */
  async redirect(step: string, patch: Record<string, unknown>, commit?: (tx: EntityManager) => Promise<void>): Promise<boolean> {
    const workflow = this.#deps.workflows.get(this.#run.workflow);
    if (!workflow?.steps.some((s) => s.id === step)) throw new Error(`workflow ${this.#run.workflow} has no step ${step}`);
    if (this.#run.goal) return false;
    const moved = await this.#deps.em.fork().transactional(async (tx) => {
      const done = await store.redirectHeld(tx, this.#run, step, patch, this.#deps.clock.now());
      if (!done) return null;
      await commit?.(tx);
      return done;
    });
    if (!moved) return false;
    // The hold ended with the redirect (its lease cleared): release() is a no-op from here.
    this.#run = { ...this.#run, step, state: withPatch(this.#run.state, patch), status: 'waiting', wakes: moved.wakes };
    await this.#deps.schedule(this.#run.id, moved.wakes, 0);
    return true;
  }

  /** Lets the run go (only if still ours: a worker that took it over keeps its lease). */
  async release(): Promise<void> {
    await store.letGo(this.#deps.em.fork(), this.#run);
  }
}

function withPatch(state: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...state };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Holds the subject's live run, waiting up to `waitMs` for a worker to let go; 'busy' after that, null when it has none. */
export async function holdRun<D>(deps: RunnerDeps<D>, subjectId: string, waitMs = 3_000): Promise<RunHold<D> | 'busy' | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const now = deps.clock.now();
    const run = await store.holdSubjectRun(deps.em.fork(), subjectId, now, new Date(now.getTime() + deps.config.leaseMs));
    if (run === null) return null;
    if (run !== 'busy') return new RunHold(deps, run);
    if (Date.now() > deadline) return 'busy';
    await new Promise((r) => setTimeout(r, BUSY_RETRY_MS));
  }
}
