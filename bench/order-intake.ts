import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg, setPriority } from 'node:os';
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
/** Offered load of the latency phase: the throughput target, spread over the same connections. */
const RATE = Number(env.BENCH_ORDER_RATE ?? 1000);
const POOL_MAX = env.BENCH_DB_POOL_MAX ?? '20';
const HUB_PORT = Number(env.BENCH_HUB_PORT ?? 4182);
const BARE_PORT = Number(env.BENCH_BARE_PORT ?? 4184);
const WORKER = env.BENCH_ORDER_WORKER !== 'off';
/** The worker shares the 2 cores with the API: run as operators would on one host (README, HUB_WORKER_NICE). */
const WORKER_NICE = env.BENCH_WORKER_NICE ?? '19';
const SANDBOX_NICE = Number(env.BENCH_SANDBOX_NICE ?? 19);

interface Figures { ordersPerSec: number; p50Ms: number; p99Ms: number; created: number; non2xx: number; errors: number }

/**
 * POSTs orders at `url` from `CONNECTIONS` connections, each request with its own key and mall
 * order id: as fast as answers come back (throughput), or at `overallRate` requests/s (latency).
 */
let n = 0;
async function drive(url: string, headers: Record<string, string>, skus: { skuId: string; points: number; cashFen: number }[], seconds: number, overallRate = 0): Promise<Figures> {
  const run = await autocannon({
    url, connections: CONNECTIONS, duration: seconds, ...(overallRate > 0 ? { overallRate } : {}),
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
  const catalog = await ensureBenchCatalog();
  const adminToken = randomBytes(16).toString('hex');
  const redisPrefix = `bencho${process.pid}`;
  const servers: ServerProcess[] = [];
  // Orders of earlier runs (the bare server's among them) would be work for this run's workers.
  await withClient((c) => c.query('truncate mall_order, order_line, line_attempt, line_voucher, ledger_entry, workflow_run, workflow_step, job_outbox, order_event_counter, mall_event, shipment, tracking_event, order_split, webhook_delivery, webhook_attempt'));
  const sandbox = await startSandboxProcess({ HUB_SANDBOX_SKUS: '250000', HUB_SANDBOX_SEED: '1' }, Number(env.BENCH_SANDBOX_PORT ?? 4180));
  // The suppliers are not on the hub's host in production: their simulator yields the CPU to the hub.
  setPriority(sandbox.pid, SANDBOX_NICE);
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
    // BENCH_ORDER_WORKER=off measures intake alone (a diagnosis, not the benchmark's figure).
    const workerProc = spawn(process.execPath, WORKER ? ['src/cli.ts', 'worker'] : ['-e', 'setInterval(() => {}, 1e6)'], { env: { ...process.env, ...hubEnv, HUB_WORKER_NICE: WORKER_NICE }, stdio: ['ignore', 'ignore', 'inherit'] });
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
    const stepsBefore = await stepCount();
    const hubHeaders = { authorization: `Bearer ${apiKey}` };
    await drive(hub.url, hubHeaders, skus, WARMUP_SECONDS);
    await waitForIdleDb();
    const hubMax = await drive(hub.url, hubHeaders, skus, SECONDS);
    const hubAtRate = await drive(hub.url, hubHeaders, skus, SECONDS, RATE);
    const stored = (await orderCount()) - before;
    const stepsDone = (await stepCount()) - stepsBefore;
    const hubRss = await hub.peakRssMiB();
    await worker.stop();
    const bare = await startServerProcess('bare server', ['bench/bare-order-server.ts'], { BENCH_DATABASE_URL: dbUrl(), BENCH_MALL_ID: mallId, BENCH_PORT: String(BARE_PORT), BENCH_POOL_MAX: POOL_MAX }, `http://127.0.0.1:${BARE_PORT}`);
    servers.push(bare);
    await drive(bare.url, {}, skus, WARMUP_SECONDS);
    await waitForIdleDb();
    const bareMax = await drive(bare.url, {}, skus, SECONDS);
    const bareAtRate = await drive(bare.url, {}, skus, SECONDS, RATE);
    const ratio = hubMax.ordersPerSec / Math.max(1, bareMax.ordersPerSec);
    const checks = [
      `${hubMax.ordersPerSec} orders/s (target ≥ 1 000: ${hubMax.ordersPerSec >= 1000 ? 'pass' : `miss by ${1000 - hubMax.ordersPerSec}`})`,
      `${Math.round(ratio * 100)} % of the bare handler's ${bareMax.ordersPerSec}/s (target ≥ 50 %: ${ratio >= 0.5 ? 'pass' : 'miss'})`,
      `p99 ${hubAtRate.p99Ms} ms at ${RATE} orders/s offered (target ≤ 50 ms: ${hubAtRate.p99Ms <= 50 ? 'pass' : `miss by ${hubAtRate.p99Ms - 50} ms`}; bare p99 ${bareAtRate.p99Ms} ms)`,
    ];
    const bad = [hubMax, hubAtRate].reduce((k, f) => k + f.non2xx + f.errors, 0);
    const failed = bad > 0 ? `FAILED: ${bad} non-2xx answers or errors at the hub.\n` : '';
    const show = (f: Figures) => `${f.ordersPerSec} orders/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${f.created} created, ${f.non2xx} non-2xx, ${f.errors} errors`;
    return {
      name: 'order-intake',
      figures: {
        hubThroughput: show(hubMax),
        hubAtRate: show(hubAtRate),
        ordersStoredDuringRun: stored,
        workflowStepsDoneDuringRun: stepsDone,
        hubApiPeakRssMiB: hubRss,
        setup: `${CONNECTIONS} connections; throughput: ${SECONDS} s as fast as answers come, after ${WARMUP_SECONDS} s warm-up; latency: ${SECONDS} s at ${RATE} orders/s offered. `
          + `Pool ${POOL_MAX}, a worker fulfilling against the sandbox at nice ${WORKER_NICE} (HUB_WORKER_NICE), the sandbox at nice ${SANDBOX_NICE}, ${skus.length} SKUs of a ${catalog.items}-item catalog`,
        machine: `load average ${loadAtStart.toFixed(1)} at start`,
      },
      baseline: { bareThroughput: show(bareMax), bareAtRate: show(bareAtRate) },
      verdict: `${failed}Order intake at ${CONNECTIONS} connections: ${checks.join('; ')}. At saturation latency is connections ÷ throughput (Little's law), so p99 is measured at the target rate.`,
    };
  } finally {
    for (const s of servers.reverse()) await s.stop();
    await sandbox.stop();
    await clearRedisPrefix(redisPrefix);
  }
}

async function stepCount(): Promise<number> {
  return Number((await withClient((c) => c.query<{ n: string }>('select count(*)::text n from workflow_step'))).rows[0]?.n);
}

async function orderCount(): Promise<number> {
  return Number((await withClient((c) => c.query<{ n: string }>('select count(*)::text n from mall_order'))).rows[0]?.n);
}
