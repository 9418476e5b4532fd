import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { openOrm } from '../src/persistence/orm.ts';
import { repriceMall } from '../src/catalog/mall-pricing.ts';
import { dbUrl, waitForIdleDb, withClient } from './bench-db.ts';
import { compareAndTime, drive, type Target, withSecondPage } from './catalog-load.ts';
import { catalogQueryResult, type LoadRun } from './catalog-query-report.ts';
import { ensureBenchCatalog } from './catalog-sync.ts';
import type { BenchResult } from './bench-result.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

const env = process.env;
const SECONDS = Number(env.BENCH_QUERY_SECONDS ?? 15);
const WARMUP_SECONDS = Number(env.BENCH_QUERY_WARMUP_SECONDS ?? 5);
const CONNECTIONS = (env.BENCH_QUERY_CONNECTIONS ?? '10,50').split(',').map(Number);
// The hub's default pool (HUB_DB_POOL_MAX); the bare server gets the same.
const POOL_MAX = env.BENCH_DB_POOL_MAX ?? '20';
const HUB_PORT = Number(env.BENCH_HUB_PORT ?? 4182);
const BARE_PORT = Number(env.BENCH_BARE_PORT ?? 4183);
// A URL whose median alone is above this is also left out of a second, "fast URLs" mix.
const SLOW_MS = Number(env.BENCH_QUERY_SLOW_MS ?? 1_000);

/**
 * GET /v1/catalog/items of the hub API process on the synced 1M-offer catalog, priced for one
 * mall, under autocannon at 10 and 50 connections. Baseline: a bare Hono + pg server (its own
 * process) running the same SQL with the same pool size, no auth, validation, ORM or logging.
 */
export async function benchCatalogQuery(): Promise<BenchResult> {
  const loadAtStart = loadavg()[0] ?? 0;
  const counts = await ensureBenchCatalog();
  const adminToken = randomBytes(16).toString('hex');
  const redisPrefix = `benchq${process.pid}`;
  const servers: ServerProcess[] = [];
  try {
    const hub = await startServerProcess('hub api', ['src/cli.ts', 'api'], {
      DATABASE_URL: dbUrl(), HUB_HOST: '127.0.0.1', HUB_PORT: String(HUB_PORT), HUB_ADMIN_TOKEN: adminToken, HUB_DB_POOL_MAX: POOL_MAX,
      // Sandbox mode only so the mall may have a loopback webhook URL; info logs as in production.
      HUB_SANDBOX: 'true', HUB_REDIS_PREFIX: redisPrefix, HUB_LOG_LEVEL: env.BENCH_HUB_LOG_LEVEL ?? 'info',
    }, `http://127.0.0.1:${HUB_PORT}`);
    servers.push(hub);
    const { mallId, apiKey } = await createMall(hub.url, adminToken);
    const priced = await priceMall(mallId);
    const bare = await startServerProcess('bare server', ['bench/bare-catalog-server.ts'], {
      BENCH_DATABASE_URL: dbUrl(), BENCH_MALL_ID: mallId, BENCH_PORT: String(BARE_PORT), BENCH_POOL_MAX: POOL_MAX,
    }, `http://127.0.0.1:${BARE_PORT}`);
    servers.push(bare);

    const hubT: Target = { name: 'hub', url: hub.url, headers: { authorization: `Bearer ${apiKey}` } };
    const bareT: Target = { name: 'bare', url: bare.url, headers: {} };
    const paths = await withSecondPage(hubT);
    const alone = await compareAndTime(hubT, bareT, paths);
    const full = await measure(hubT, bareT, paths);
    // A URL slow even alone is the shared SQL's cost and swamps both servers alike; the mix without
    // it is what shows the hub's own overhead (auth, rate limit, validation, ORM, logging).
    const slow = alone.filter((t) => Math.max(t.msA, t.msB) > SLOW_MS).map((t) => t.path);
    const fastPaths = paths.filter((p) => !slow.includes(p));
    const fast = slow.length && fastPaths.length ? await measure(hubT, bareT, fastPaths) : null;
    const result = catalogQueryResult({
      full, fast, slow, alone, hubRss: await hub.peakRssMiB(), bareRss: await bare.peakRssMiB(), priced, counts, loadAtStart,
      setup: { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, poolMax: POOL_MAX, slowMs: SLOW_MS },
    });
    const failed = [...full, ...(fast ?? [])].flatMap((r) => (['hub', 'bare'] as const).filter((s) => r[s].non2xx + r[s].errors > 0).map((s) => `${s} @${r.c}${fast?.includes(r) ? ' (fast URLs)' : ''}`));
    if (failed.length) {
      // Loud, yet the figures are still printed and saved: the failing run is the one worth reading.
      result.verdict = `FAILED: requests that were not 2xx, errored or timed out (${failed.join(', ')}); every one must succeed.\n${result.verdict}`;
      process.stderr.write(`\ncatalog-query FAILED: not every request succeeded (${failed.join(', ')})\n`);
      process.exitCode = 1;
    }
    return result;
  } finally {
    for (const s of servers.reverse()) await s.stop();
    await clearRedisPrefix(redisPrefix);
  }
}

// Earlier bench malls are suspended and their prices dropped: the database keeps one priced mall.
export async function createMall(hubUrl: string, adminToken: string, webhookUrl = 'http://127.0.0.1:9/hook'): Promise<{ mallId: string; apiKey: string }> {
  await withClient(async (c) => {
    await c.query('truncate mall_item');
    await c.query("update mall set status = 'suspended' where status = 'active'");
  });
  const res = await fetch(`${hubUrl}/admin/malls`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    // The highest rate limit the admin API accepts: the bench measures the catalog, not the limiter's refusals.
    body: JSON.stringify({ name: 'bench mall', webhookUrl, rateLimit: { perSec: 100_000, burst: 200_000 } }),
  });
  if (res.status !== 201) throw new Error(`POST /admin/malls: ${res.status} ${await res.text()}`);
  return (await res.json()) as { mallId: string; apiKey: string };
}

// What the mall-pricing worker does for a new mall, run here because no worker is started.
export async function priceMall(mallId: string): Promise<{ items: number; seconds: number }> {
  const orm = await openOrm({ databaseUrl: dbUrl(), dbPoolMax: 2 });
  try {
    const t0 = performance.now();
    const out = await repriceMall(orm.em.fork(), mallId);
    const seconds = (performance.now() - t0) / 1000;
    // Fresh statistics, as autovacuum would have gathered by the time malls browse.
    await orm.em.getConnection().execute('vacuum analyze mall_item, catalog_item');
    return { items: out?.items ?? 0, seconds: Number(seconds.toFixed(1)) };
  } finally {
    await orm.close(true);
  }
}

export async function clearRedisPrefix(prefix: string): Promise<void> {
  const r = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** Both servers at each concurrency, the bare one first. */
async function measure(hub: Target, bare: Target, paths: readonly string[]): Promise<LoadRun[]> {
  const runs: LoadRun[] = [];
  for (const c of CONNECTIONS) {
    await waitForIdleDb();
    const b = await drive(bare, paths, c, SECONDS, WARMUP_SECONDS);
    await waitForIdleDb();
    runs.push({ c, bare: b, hub: await drive(hub, paths, c, SECONDS, WARMUP_SECONDS) });
  }
  return runs;
}
