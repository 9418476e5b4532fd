import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { dbUrl, waitForIdleDb, withClient } from './bench-db.ts';
import { clearRedisPrefix, createMall, priceMall } from './catalog-query.ts';
import { ensureBenchCatalog } from './catalog-sync.ts';
import type { BenchResult } from './run.ts';
import { startSandboxProcess } from './sandbox-process.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';

const env = process.env;
const SECONDS = Number(env.BENCH_ORDER_SECONDS ?? 15);
const WARMUP_SECONDS = Number(env.BENCH_ORDER_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(env.BENCH_ORDER_CONNECTIONS ?? 50);
const POOL_MAX = env.BENCH_DB_POOL_MAX ?? '20';
const HUB_PORT = Number(env.BENCH_HUB_PORT ?? 4182);
const BARE_PORT = Number(env.BENCH_BARE_PORT ?? 4184);

interface Figures { ordersPerSec: number; p50Ms: number; p99Ms: number; created: number; non2xx: number; errors: number }

/** POSTs orders at `url` from `CONNECTIONS` connections, each request with its own key and mall order id. */
async function drive(url: string, headers: Record<string, string>, skus: { skuId: string; points: number; cashFen: number }[], seconds: number): Promise<Figures> {
  let n = 0;
  const run = await autocannon({
    url, connections: CONNECTIONS, duration: seconds,
    requests: [{
      method: 'POST', path: '/v1/orders',
      setupRequest: (req) => {
        const i = n++;
        const sku = skus[i % skus.length] as (typeof skus)[number];
        const key = `${process.pid}-${Date.now()}-${i}-${randomBytes(3).toString('hex')}`;
        return {
          ...req,
          headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({
            mallOrderId: `B-${key}`, member: { id: `m-${i % 997}` },
            recipient: { name: '测试', phone: '13800138000', province: '北京', city: '北京市', district: '朝阳区', address: '建国路 1 号' },
            lines: [{ lineId: '1', skuId: sku.skuId, quantity: 1, pointsPaid: sku.points, cashPaidFen: sku.cashFen }],
          }),
        };
      },
    }],
  });
  return {
    ordersPerSec: Math.round(run.requests.average), p50Ms: run.latency.p50, p99Ms: run.latency.p99,
    created: run['2xx'], non2xx: run.non2xx, errors: run.errors + run.timeouts,
  };
}

/**
 * Order intake at 50 connections: the hub's POST /v1/orders (authenticated, rate limited,
 * validated, idempotent, price-checked against the 1M catalog, recipient encrypted, committed with
 * ledger, event, workflow run and outbox job, relayed to Redis) with its workers running and
 * fulfilling against the sandbox, next to a bare Hono + pg server writing the same rows in one
 * transaction, in the same run.
 */
export async function benchOrderIntake(): Promise<BenchResult> {
  const loadAtStart = loadavg()[0] ?? 0;
  await ensureBenchCatalog();
  const adminToken = randomBytes(16).toString('hex');
  const redisPrefix = `bencho${process.pid}`;
  const servers: ServerProcess[] = [];
  const sandbox = await startSandboxProcess({ HUB_SANDBOX_SKUS: '250000', HUB_SANDBOX_SEED: '1' }, Number(env.BENCH_SANDBOX_PORT ?? 4180));
  const hubEnv = {
    DATABASE_URL: dbUrl(), HUB_HOST: '127.0.0.1', HUB_PORT: String(HUB_PORT), HUB_ADMIN_TOKEN: adminToken, HUB_DB_POOL_MAX: POOL_MAX, HUB_SANDBOX: 'true',
    HUB_REDIS_PREFIX: redisPrefix, HUB_LOG_LEVEL: env.BENCH_HUB_LOG_LEVEL ?? 'info', HUB_SANDBOX_URL: sandbox.url, HUB_CATALOG_SYNC_SCHEDULE: 'false',
  };
  try {
    const hub = await startServerProcess('hub api', ['src/cli.ts', 'api'], hubEnv, `http://127.0.0.1:${HUB_PORT}`);
    servers.push(hub);
    const { mallId, apiKey } = await createMall(hub.url, adminToken);
    await priceMall(mallId);
    // The reprice job its creation queued is done already (priced above): drop it before workers start.
    await clearRedisPrefix(redisPrefix);
    // Workers serve no HTTP: started directly, given a moment to register.
    const workerProc = spawn(process.execPath, ['src/cli.ts', 'worker'], { env: { ...process.env, ...hubEnv }, stdio: ['ignore', 'ignore', 'inherit'] });
    process.once('exit', () => workerProc.kill('SIGKILL'));
    const worker = {
      stop: () => new Promise<void>((r) => {
        if (workerProc.exitCode !== null) return r();
        workerProc.once('exit', () => r());
        workerProc.kill('SIGTERM');
      }),
    };
    await new Promise((r) => setTimeout(r, 3_000));
    const skus = (await withClient((c) => c.query<{ sku_id: string; points: number; cash_fen: number }>(
      `select ci.sku_id, mi.points, mi.cash_fen from mall_item mi join catalog_item ci on ci.id = mi.item_id
       where mi.mall_id = $1 and mi.sellable and mi.kind = 'physical' and coalesce(mi.stock_units, 100) > 50 order by mi.item_id limit 200`, [mallId]))).rows
      .map((r) => ({ skuId: r.sku_id, points: r.points, cashFen: r.cash_fen }));
    const before = await orderCount();
    await drive(hub.url, { authorization: `Bearer ${apiKey}` }, skus, WARMUP_SECONDS);
    await waitForIdleDb();
    const hubFigures = await drive(hub.url, { authorization: `Bearer ${apiKey}` }, skus, SECONDS);
    const stored = (await orderCount()) - before;
    const hubRss = await hub.peakRssMiB();
    await worker.stop();
    const bare = await startServerProcess('bare server', ['bench/bare-order-server.ts'], { BENCH_DATABASE_URL: dbUrl(), BENCH_MALL_ID: mallId, BENCH_PORT: String(BARE_PORT), BENCH_POOL_MAX: POOL_MAX }, `http://127.0.0.1:${BARE_PORT}`);
    servers.push(bare);
    await drive(bare.url, {}, skus, WARMUP_SECONDS);
    await waitForIdleDb();
    const bareFigures = await drive(bare.url, {}, skus, SECONDS);
    const ratio = hubFigures.ordersPerSec / Math.max(1, bareFigures.ordersPerSec);
    const checks = [
      `${hubFigures.ordersPerSec} orders/s (target ≥ 1 000: ${hubFigures.ordersPerSec >= 1000 ? 'pass' : `miss by ${1000 - hubFigures.ordersPerSec}`})`,
      `${Math.round(ratio * 100)} % of the bare handler's ${bareFigures.ordersPerSec}/s (target ≥ 50 %: ${ratio >= 0.5 ? 'pass' : 'miss'})`,
      `p99 ${hubFigures.p99Ms} ms (target ≤ 50 ms: ${hubFigures.p99Ms <= 50 ? 'pass' : `miss by ${hubFigures.p99Ms - 50} ms`}; bare p99 ${bareFigures.p99Ms} ms)`,
    ];
    const failed = hubFigures.non2xx + hubFigures.errors > 0 ? `FAILED: ${hubFigures.non2xx} non-2xx and ${hubFigures.errors} errors at the hub.\n` : '';
    return {
      name: 'order-intake',
      figures: {
        hub: `${hubFigures.ordersPerSec} orders/s, p50 ${hubFigures.p50Ms} ms, p99 ${hubFigures.p99Ms} ms, ${hubFigures.created} created, ${hubFigures.non2xx} non-2xx, ${hubFigures.errors} errors`,
        ordersStoredDuringRun: stored,
        hubApiPeakRssMiB: hubRss,
        setup: `${CONNECTIONS} connections, ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, pool ${POOL_MAX}, workers fulfilling against the sandbox, 1M-item catalog`,
        machine: `load average ${loadAtStart.toFixed(1)} at start`,
      },
      baseline: { bare: `${bareFigures.ordersPerSec} orders/s, p50 ${bareFigures.p50Ms} ms, p99 ${bareFigures.p99Ms} ms, ${bareFigures.non2xx} non-2xx, ${bareFigures.errors} errors` },
      verdict: `${failed}Order intake at ${CONNECTIONS} connections: ${checks.join('; ')}.`,
    };
  } finally {
    for (const s of servers.reverse()) await s.stop();
    await sandbox.stop();
    await clearRedisPrefix(redisPrefix);
  }
}

async function orderCount(): Promise<number> {
  return Number((await withClient((c) => c.query<{ n: string }>('select count(*)::text n from mall_order'))).rows[0]?.n);
}
