import { Redis } from 'ioredis';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * "Redis loses its data", for this run only: every key under the run's own prefix is deleted
 * (SCAN + UNLINK). The Redis server is shared with other test runs, so FLUSHALL/FLUSHDB are out
 * of the question; the hub keeps every key under `HUB_REDIS_PREFIX:`, so this is all of its data.
 */
export async function deletePrefix(prefix: string): Promise<number> {
  if (!/^[a-zA-Z0-9_-]+$/.test(prefix)) throw new Error(`not a plain key prefix: ${prefix}`);
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectionName: 'chaos-harness' });
  let deleted = 0;
  try {
    await r.connect();
    // Two passes: jobs added while the first pass ran (by live workers) would survive it.
    for (let pass = 0; pass < 2; pass++) {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) deleted += await r.unlink(...keys);
      } while (cursor !== '0');
    }
  } finally {
    r.disconnect();
  }
  return deleted;
}
