import { Redis } from 'ioredis';

/**
 * A Redis client for the hub. `maxRetriesPerRequest: null` is what BullMQ workers need; API-side
 * clients fail fast instead so a Redis outage answers 503 rather than hanging requests.
 */
export function createRedis(url: string, opts: { failFast?: boolean; name?: string; autoPipeline?: boolean } = {}): Redis {
  return new Redis(url, {
    connectionName: opts.name ?? 'hub',
    maxRetriesPerRequest: opts.failFast ? 1 : null,
    // Commands issued while (re)connecting wait briefly instead of failing at once.
    enableOfflineQueue: true,
    ...(opts.failFast ? { commandTimeout: 1_000 } : {}),
    connectTimeout: 2_000,
    lazyConnect: false,
    // Back off to at most 2 s between reconnects; never give up (Redis may come back).
    retryStrategy: (times) => Math.min(times * 100, 2_000),
    // Commands issued in one turn of the event loop leave in one write (see buildDeps).
    ...(opts.autoPipeline ? { enableAutoPipelining: true } : {}),
  });
}
