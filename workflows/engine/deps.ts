import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../src/domain/clock.ts';
import type { Workflow } from './types.ts';

/** How the runner retries and holds runs; every delay is configuration. */
export interface RunnerConfig {
  /** Attempts of one step (or one compensation) before the run is given up. */
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

/**
 * Thrown inside a transaction when the run is no longer this execution's: its lease ran out and
 * someone else (another worker, a cancellation) took the run. The writes roll back with it, so a
 * slow worker never records over a run that moved on without it.
 */
export class LeaseLost extends Error {
  constructor(runId: string) {
    super(`workflow run ${runId}: lease lost before the work was recorded`);
    this.name = 'LeaseLost';
  }
}

export type RunResult = {
  runId: string;
  status: 'skipped' | 'lease_lost' | 'waiting' | 'succeeded' | 'dead' | 'retrying' | 'compensating' | 'failed' | 'cancelled' | 'resumed';
  step?: string;
};

/** The backoff before attempt `attempts + 1`, never shorter than what the error asked for. */
export function backoff(config: RunnerConfig, attempts: number, err: unknown): number {
  const delay = Math.min(config.backoffMaxMs, config.backoffBaseMs * 2 ** (attempts - 1));
  const retryAfter = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof retryAfter === 'number' ? Math.max(delay, retryAfter) : delay;
}

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 1000);

