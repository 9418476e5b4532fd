import type { Redis } from 'ioredis';
import { pendingMigrations, pingDatabase, type Orm } from '../persistence/orm.ts';

/** Result of one readiness check. */
export interface CheckResult {
  ok: boolean;
  error?: string;
  ms: number;
}

async function timed(timeoutMs: number, fn: () => Promise<string | undefined>): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const problem = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return problem ? { ok: false, error: problem, ms: Math.round(performance.now() - started) } : { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** Checks PostgreSQL, Redis and that every migration is applied, each bounded by `timeoutMs`. */
export async function checkReadiness(deps: { orm: Orm; redis: Redis }, timeoutMs: number): Promise<Record<'postgres' | 'redis' | 'migrations', CheckResult>> {
  const [postgres, redis, migrations] = await Promise.all([
    timed(timeoutMs, async () => {
      await pingDatabase(deps.orm);
      return undefined;
    }),
    timed(timeoutMs, async () => ((await deps.redis.ping()) === 'PONG' ? undefined : 'unexpected PING answer')),
    timed(timeoutMs, async () => {
      const pending = await pendingMigrations(deps.orm);
      return pending.length ? `pending: ${pending.join(', ')}` : undefined;
    }),
  ]);
  return { postgres, redis, migrations };
}
