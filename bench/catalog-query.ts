import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { migrate, openOrm } from '../src/persistence/orm.ts';
import { repriceMall } from '../src/catalog/mall-pricing.ts';
import { rebuildMallSearch } from '../src/catalog/search-index-store.ts';
import { dbUrl, waitForIdleDb, withClient } from './bench-db.ts';
import { comparePages, drive, type PathTiming, readable, type Target, timeAlone, withSecondPage } from './catalog-load.ts';
import { catalogQueryResult, type LoadRun } from './catalog-query-report.ts';
import { ensureBenchCatalog } from './catalog-sync.ts';
import type { BenchResult } from './bench-result.ts';
import { type GroongaPeer, startGroongaPeer } from './groonga-peer.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';
import { DEFAULT_DB_POOL_MAX } from '../src/config.ts';

const env = process.env;
const SECONDS = Number(env.BENCH_QUERY_SECONDS ?? 15);
const WARMUP_SECONDS = Number(env.BENCH_QUERY_WARMUP_SECONDS ?? 5);
const CONNECTIONS = (env.BENCH_QUERY_CONNECTIONS ?? '10,50').split(',').map(Number);
// Sequential calls of each path alone, after a few discarded ones.
const ALONE_CALLS = Number(env.BENCH_QUERY_ALONE_CALLS ?? 50);
// The hub's default pool (HUB_DB_POOL_MAX).
const POOL_MAX = env.BENCH_DB_POOL_MAX ?? String(DEFAULT_DB_POOL_MAX);
const HUB_PORT = Number(env.BENCH_HUB_PORT ?? 4182);
// The peer's Node hop; Groonga's own HTTP server listens on the port after it unless told.
const PEER_PORT = Number(env.BENCH_PEER_PORT ?? env.BENCH_BARE_PORT ?? 4183);
const GROONGA_PORT = Number(env.BENCH_GROONGA_PORT ?? PEER_PORT + 1);

const progress = (s: string) => process.stdout.write(`[catalog-query ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

/**
 * GET /v1/catalog/items of the hub API process on the synced 1M-offer catalog, priced for one
 * mall and its search index built: each path of the mix alone (median, p99), then the mix under
 * autocannon at 10 and 50 connections. Peer: Groonga loaded with the same items of the same mall
 * (bench/groonga-peer.ts), asked the same URLs through a thin Node hop, checked first to return
 * the same items in the same order for every path.
 */
export async function benchCatalogQuery(): Promise<BenchResult> {
  const loadAtStart = loadavg()[0] ?? 0;
  progress('catalog: checking the bench database (syncing it first if it lacks the catalog)');
  const counts = await ensureBenchCatalog();
  // A database synced before the latest migrations (the search index's, say) gets them now.
  await migrate({ databaseUrl: dbUrl(), dbPoolMax: 2 });
  const adminToken = randomBytes(16).toString('hex');
  const redisPrefix = `benchq${process.pid}`;
  const servers: ServerProcess[] = [];
  try {
    const hubEnv = {
      DATABASE_URL: dbUrl(), HUB_HOST: '127.0.0.1', HUB_PORT: String(HUB_PORT), HUB_ADMIN_TOKEN: adminToken, HUB_DB_POOL_MAX: POOL_MAX,
      // Sandbox mode only so the mall may have a loopback webhook URL; info logs as in production.
      HUB_SANDBOX: 'true', HUB_REDIS_PREFIX: redisPrefix, HUB_LOG_LEVEL: env.BENCH_HUB_LOG_LEVEL ?? 'info',
    };
    // Named after this bench in `ps` (--title): the API of another bench or test run on the same
    // machine, stopped by its command line, is not mistaken for this one.
    const startHub = () => startServerProcess('hub api', ['--title=bench-catalog-query-hub', 'src/cli.ts', 'api'], hubEnv, `http://127.0.0.1:${HUB_PORT}`);
    // The API creates the mall, then is stopped during the minutes of setup that follow and started
    // again, fresh, for the measurements.
    progress('starting the hub API to create the bench mall');
    const setupHub = await startHub();
    const { mallId, apiKey } = await createMall(setupHub.url, adminToken).finally(() => setupHub.stop());
    progress(`mall ${mallId} created; pricing it`);
    const priced = await priceMall(mallId);
    progress(`priced ${priced.items.toLocaleString('en')} items in ${priced.seconds} s; building its search index`);
    const search = await buildMallSearch(mallId);
    progress(`search index: ${search.items.toLocaleString('en')} items, ${search.postings.toLocaleString('en')} postings in ${search.seconds} s; loading the Groonga peer`);
    const peer: GroongaPeer = await startGroongaPeer(mallId, PEER_PORT, GROONGA_PORT, progress);
    servers.push(peer);
    progress('starting the hub API for the measurements');
    const hub = await startHub();
    servers.push(hub);

    const hubT: Target = { name: 'hub', url: hub.url, headers: { authorization: `Bearer ${apiKey}` } };
    const peerT: Target = { name: 'groonga', url: peer.url, headers: {} };
    const paths = await withSecondPage(hubT);
    progress(`checking both return the same items for each of the ${paths.length} paths`);
    await comparePages(hubT, peerT, paths, progress);
    progress(`each path alone: ${ALONE_CALLS} sequential calls after 5 warm-up ones, hub then peer`);
    const alone: PathTiming[] = [];
    for (const [i, path] of paths.entries()) {
      await waitForIdleDb();
      const h = await timeAlone(hubT, path, ALONE_CALLS);
      const p = await timeAlone(peerT, path, ALONE_CALLS);
      alone.push({ path, items: h.items, hub: h.latency, peer: p.latency });
      progress(`  ${i + 1}/${paths.length} ${readable(path)}: hub median ${h.latency.median} ms, p99 ${h.latency.p99} ms; groonga median ${p.latency.median} ms, p99 ${p.latency.p99} ms`);
    }
    const runs = await measure(hubT, peerT, paths);
    // -1: the process is gone (it must live to the end: something stopped it from outside).
    const hubRss = await hub.peakRssMiB().catch(() => -1);
    const result = catalogQueryResult({
      runs, alone, hubRss, peer: { version: peer.version, items: peer.items, exportSeconds: peer.exportSeconds, loadSeconds: peer.loadSeconds, dbMiB: peer.dbMiB, rss: await peer.groongaPeakRssMiB().catch(() => -1), hopRss: await peer.peakRssMiB().catch(() => -1) },
      priced, search, counts, loadAtStart,
      setup: { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, poolMax: POOL_MAX, aloneCalls: ALONE_CALLS },
    });
    const failed = runs.flatMap((r) => (['hub', 'peer'] as const).filter((s) => r[s].non2xx + r[s].errors > 0).map((s) => `${s} @${r.c}`));
    if (hubRss < 0) failed.push('the hub API process exited before the end of the run');
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

// Earlier bench malls are suspended and their prices (and search postings) dropped: the database keeps one priced mall.
export async function createMall(hubUrl: string, adminToken: string, webhookUrl = 'http://127.0.0.1:9/hook'): Promise<{ mallId: string; apiKey: string }> {
  await withClient(async (c) => {
    await c.query('truncate mall_item');
    if ((await c.query("select to_regclass('search_posting') is not null as ok")).rows[0]?.ok === true) await c.query('truncate search_posting, search_doc, search_pending');
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

// What the search indexer does for a mall with a large backlog (a new one), run here because no worker is started.
export async function buildMallSearch(mallId: string): Promise<{ items: number; postings: number; seconds: number }> {
  const orm = await openOrm({ databaseUrl: dbUrl(), dbPoolMax: 2 });
  try {
    // It vacuums and analyses the postings itself (index-only scans need the visibility map).
    return await rebuildMallSearch(orm.em.fork(), mallId);
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

/** Both servers at each concurrency, the peer first. */
async function measure(hub: Target, peer: Target, paths: readonly string[]): Promise<LoadRun[]> {
  const runs: LoadRun[] = [];
  for (const c of CONNECTIONS) {
    await waitForIdleDb();
    progress(`the mix at ${c} connections on groonga (${WARMUP_SECONDS} s warm-up, ${SECONDS} s measured)`);
    const p = await drive(peer, paths, c, SECONDS, WARMUP_SECONDS);
    progress(`  groonga @${c}: ${p.reqPerSec} req/s, p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, ${p.non2xx} non-2xx, ${p.errors} errors`);
    await waitForIdleDb();
    progress(`the mix at ${c} connections on the hub`);
    const h = await drive(hub, paths, c, SECONDS, WARMUP_SECONDS);
    progress(`  hub @${c}: ${h.reqPerSec} req/s, p50 ${h.p50Ms} ms, p99 ${h.p99Ms} ms, ${h.non2xx} non-2xx, ${h.errors} errors`);
    runs.push({ c, peer: p, hub: h });
  }
  return runs;
}
