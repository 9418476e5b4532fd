import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg, setPriority } from 'node:os';
import autocannon from 'autocannon';
import { checkpoint, dbUrl, waitForIdleDb, withClient } from './bench-db.ts';
import { cpuWindow, type Roles, showCpu } from './cpu-split.ts';
import { clearRedisPrefix, createMall, priceMall } from './catalog-query.ts';
import { ensureBenchCatalog } from './catalog-sync.ts';
import { openLoop } from './open-loop.ts';
import type { BenchResult } from './bench-result.ts';
import { startSandboxProcess } from './sandbox-process.ts';
import { type ServerProcess, startServerProcess } from './server-process.ts';
import { DEFAULT_DB_POOL_MAX } from '../src/config.ts';

const env = process.env;
const SECONDS = Number(env.BENCH_ORDER_SECONDS ?? 15);
const WARMUP_SECONDS = Number(env.BENCH_ORDER_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(env.BENCH_ORDER_CONNECTIONS ?? 50);
/** Offered load of the latency phase: the throughput target, spread over the same connections. */
const RATE = Number(env.BENCH_ORDER_RATE ?? 1000);
const POOL_MAX = env.BENCH_DB_POOL_MAX ?? String(DEFAULT_DB_POOL_MAX);
const HUB_PORT = Number(env.BENCH_HUB_PORT ?? 4182);
const BARE_PORT = Number(env.BENCH_BARE_PORT ?? 4184);
const WORKER = env.BENCH_ORDER_WORKER !== 'off';
/** The worker shares the 2 cores with the API: run as operators would on one host (README, HUB_WORKER_NICE, HUB_WORKER_YIELD_*). */
const WORKER_NICE = env.BENCH_WORKER_NICE ?? '19';
const WORKER_YIELD_ABOVE = env.BENCH_WORKER_YIELD_ABOVE ?? '200';
const WORKER_YIELD_DUTY = env.BENCH_WORKER_YIELD_DUTY ?? '0.1';
/** On a shared host the API leaves committed jobs to the workers' relay (HUB_JOB_DISPATCH). */
const JOB_DISPATCH = env.BENCH_JOB_DISPATCH ?? 'relay';
const CATCH_UP_SECONDS = 10;
const SANDBOX_NICE = Number(env.BENCH_SANDBOX_NICE ?? 19);

interface Figures { ordersPerSec: number; p50Ms: number; p99Ms: number; created: number; non2xx: number; errors: number; unanswered?: number; cpu?: Record<string, number>; workerDid?: WorkerWork }
/** What the worker got done during a phase: workflow steps completed, webhook attempts made. */
interface WorkerWork { steps: number; webhookAttempts: number }
type Sku = { skuId: string; points: number; cashFen: number };

/** The i-th order of a run: its own key and mall order id, one line of a bench SKU at its price. */
let n = 0;
function orderRequest(headers: Record<string, string>, skus: Sku[]): { path: string; method: 'POST'; headers: Record<string, string>; body: string } {
  const i = n++;
  const sku = skus[i % skus.length] as Sku;
  const key = `${process.pid}-${Date.now()}-${i}-${randomBytes(3).toString('hex')}`;
  return {
    path: '/v1/orders', method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({
      mallOrderId: `B-${key}`, member: { id: `m-${i % 997}` },
      recipient: { name: '测试', phone: '13800138000', province: '北京', city: '北京市', district: '朝阳区', address: '建国路 1 号' },
      lines: [{ lineId: '1', skuId: sku.skuId, quantity: 1, pointsPaid: sku.points, cashPaidFen: sku.cashFen }],
    }),
  };
}

/** POSTs orders from `CONNECTIONS` connections as fast as answers come back (throughput). */
async function saturate(url: string, headers: Record<string, string>, skus: Sku[], seconds: number): Promise<Figures> {
  const run = await autocannon({
    url, connections: CONNECTIONS, duration: seconds,
    requests: [{ method: 'POST', path: '/v1/orders', setupRequest: (req) => ({ ...req, ...orderRequest(headers, skus) }) }],
  });
  return {
    ordersPerSec: Math.round(run.requests.average), p50Ms: run.latency.p50, p99Ms: run.latency.p99,
    created: run['2xx'], non2xx: run.non2xx, errors: run.errors + run.timeouts,
  };
}

/**
 * A phase that POSTs orders at a steady `rate` over at most `CONNECTIONS` connections (latency; see
 * openLoop). The requests are built before it starts: the load generator shares the 2 cores with
 * the servers, and its own work and garbage during the phase would count against them.
 */
function offer(url: string, headers: Record<string, string>, skus: Sku[], seconds: number, rate: number): () => Promise<Figures> {
  const prepared = Array.from({ length: Math.round(rate * seconds) }, () => orderRequest(headers, skus));
  return async () => {
    const r = await openLoop({ url, rate, seconds, connections: CONNECTIONS, request: (i) => prepared[i] as ReturnType<typeof orderRequest> });
    return { ordersPerSec: r.answeredPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, created: r.ok, non2xx: r.non2xx, errors: r.errors, unanswered: r.unanswered };
  };
}

/** A phase, with the cores each process (and its database backends) used meanwhile. */
async function measured(roles: Roles, phase: () => Promise<Figures>, opts: { worker?: boolean } = {}): Promise<Figures> {
  await checkpoint();
  const before = opts.worker ? await workerWork() : null;
  const w = await cpuWindow(roles);
  const f = await phase();
  const cpu = await w.stop();
  if (!before) return { ...f, cpu };
  const after = await workerWork();
  return { ...f, cpu, workerDid: { steps: after.steps - before.steps, webhookAttempts: after.webhookAttempts - before.webhookAttempts } };
}

const ORDER_TABLES = 'aftersale_ticket_event, aftersale_ticket, mall_order, order_line, line_attempt, line_voucher, ledger_entry, workflow_run, workflow_step, job_outbox, order_event_counter, mall_event, shipment, tracking_event, order_split, webhook_delivery, webhook_attempt';

/**
 * Order intake at 50 connections: the hub's POST /v1/orders (authenticated, rate limited,
 * validated, idempotent, price-checked against the 1M catalog, recipient encrypted, committed with
 * ledger, event, workflow run and outbox job, relayed to Redis) with its workers running and
 * fulfilling against the sandbox, next to a bare Hono + pg server writing the same rows in one
 * transaction, in the same run. Each is measured at saturation (throughput), at the target rate
 * offered steadily (p99), and at half the bare handler's throughput (latency when neither is
 * saturated, for machines too slow for the target rate).
 */
export async function benchOrderIntake(): Promise<BenchResult> {
  const loadAtStart = loadavg()[0] ?? 0;
  const catalog = await ensureBenchCatalog();
  const adminToken = randomBytes(16).toString('hex');
  const redisPrefix = `bencho${process.pid}`;
  const servers: ServerProcess[] = [];
  // Orders of earlier runs would be work for this run's workers.
  await withClient((c) => c.query(`truncate ${ORDER_TABLES}`));
  const sandbox = await startSandboxProcess({ HUB_SANDBOX_SKUS: '250000', HUB_SANDBOX_SEED: '1' }, Number(env.BENCH_SANDBOX_PORT ?? 4180));
  // The suppliers are not on the hub's host in production: their simulator yields the CPU to the hub.
  setPriority(sandbox.pid, SANDBOX_NICE);
  const hubEnv = {
    DATABASE_URL: dbUrl(), HUB_HOST: '127.0.0.1', HUB_PORT: String(HUB_PORT), HUB_ADMIN_TOKEN: adminToken, HUB_DB_POOL_MAX: POOL_MAX, HUB_SANDBOX: 'true',
    HUB_REDIS_PREFIX: redisPrefix, HUB_LOG_LEVEL: env.BENCH_HUB_LOG_LEVEL ?? 'info', HUB_SANDBOX_URL: sandbox.url, HUB_CATALOG_SYNC_SCHEDULE: 'false',
    HUB_JOB_DISPATCH: JOB_DISPATCH,
  };
  try {
    const hub = await startServerProcess('hub api', ['src/cli.ts', 'api'], hubEnv, `http://127.0.0.1:${HUB_PORT}`);
    servers.push(hub);
    // The mall takes its webhooks (the sandbox's stand-in receiver answers 204), as a live mall does:
    // an endpoint refusing every event would add a retry of each to the workers' load.
    const { mallId, apiKey } = await createMall(hub.url, adminToken, `${sandbox.url}/mall-receiver/bench`);
    await priceMall(mallId);
    // The reprice job its creation queued is done already (priced above): drop it before workers start.
    await clearRedisPrefix(redisPrefix);
    const skus = (await withClient((c) => c.query<{ sku_id: string; points: number; cash_fen: number }>(
      `select ci.sku_id, mi.points, mi.cash_fen from mall_item mi join catalog_item ci on ci.id = mi.item_id
       where mi.mall_id = $1 and mi.sellable and mi.kind = 'physical' and coalesce(mi.stock_units, 100) > 50 order by mi.item_id limit 200`, [mallId]))).rows
      .map((r) => ({ skuId: r.sku_id, points: r.points, cashFen: r.cash_fen }));

    // The bare handler first, while no worker runs; its orders are then removed.
    const bare = await startServerProcess('bare server', ['bench/bare-order-server.ts'], { BENCH_DATABASE_URL: dbUrl(), BENCH_MALL_ID: mallId, BENCH_PORT: String(BARE_PORT), BENCH_POOL_MAX: POOL_MAX }, `http://127.0.0.1:${BARE_PORT}`);
    servers.push(bare);
    const bareRoles = { 'bare server': [bare.pid], 'load generator': [process.pid] };
    await saturate(bare.url, {}, skus, WARMUP_SECONDS);
    await waitForIdleDb();
    const bareMax = await measured(bareRoles, () => saturate(bare.url, {}, skus, SECONDS));
    const halfRate = Math.max(50, Math.round(bareMax.ordersPerSec / 2 / 10) * 10);
    const bareAtRate = await measured(bareRoles, offer(bare.url, {}, skus, SECONDS, RATE));
    await waitForIdleDb();
    const bareAtHalf = await measured(bareRoles, offer(bare.url, {}, skus, SECONDS, halfRate));
    await servers.pop()?.stop();
    await withClient((c) => c.query(`truncate ${ORDER_TABLES}`));

    // Workers serve no HTTP: started directly, given a moment to register.
    // BENCH_ORDER_WORKER=off measures intake alone (a diagnosis, not the benchmark's figure).
    const workerProc = spawn(process.execPath, WORKER ? ['src/cli.ts', 'worker'] : ['-e', 'setInterval(() => {}, 1e6)'], { env: { ...process.env, ...hubEnv, HUB_WORKER_NICE: WORKER_NICE, HUB_WORKER_YIELD_ABOVE: WORKER_YIELD_ABOVE, HUB_WORKER_YIELD_DUTY: WORKER_YIELD_DUTY }, stdio: ['ignore', 'ignore', 'inherit'] });
    process.once('exit', () => workerProc.kill('SIGKILL'));
    const worker = {
      stop: () => new Promise<void>((r) => {
        if (workerProc.exitCode !== null) return r();
        workerProc.once('exit', () => r());
        workerProc.kill('SIGTERM');
      }),
    };
    await new Promise((r) => setTimeout(r, 3_000));
    const before = await orderCount();
    const stepsBefore = await stepCount();
    const hubHeaders = { authorization: `Bearer ${apiKey}` };
    const hubRoles = { 'hub api': [hub.pid], worker: [workerProc.pid ?? 0], sandbox: [sandbox.pid], 'load generator': [process.pid] };
    await saturate(hub.url, hubHeaders, skus, WARMUP_SECONDS);
    await waitForIdleDb();
    const hubMax = await measured(hubRoles, () => saturate(hub.url, hubHeaders, skus, SECONDS), { worker: WORKER });
    const hubAtRate = await measured(hubRoles, offer(hub.url, hubHeaders, skus, SECONDS, RATE), { worker: WORKER });
    await waitForIdleDb();
    const hubAtHalf = await measured(hubRoles, offer(hub.url, hubHeaders, skus, SECONDS, halfRate), { worker: WORKER });
    const stored = (await orderCount()) - before;
    // The burst is over: the worker stops yielding and catches up (what it did in 10 s with no intake).
    const catchUp = WORKER ? await measured(hubRoles, async () => {
      await new Promise((r) => setTimeout(r, CATCH_UP_SECONDS * 1000));
      return { ordersPerSec: 0, p50Ms: 0, p99Ms: 0, created: 0, non2xx: 0, errors: 0 };
    }, { worker: true }) : null;
    const stepsDone = (await stepCount()) - stepsBefore;
    const hubRss = await hub.peakRssMiB();
    await worker.stop();
    const ratio = hubMax.ordersPerSec / Math.max(1, bareMax.ordersPerSec);
    const checks = [
      `${hubMax.ordersPerSec} orders/s (target ≥ 1 000: ${hubMax.ordersPerSec >= 1000 ? 'pass' : `miss by ${1000 - hubMax.ordersPerSec}`})`,
      `${Math.round(ratio * 100)} % of the bare handler's ${bareMax.ordersPerSec}/s (target ≥ 50 %: ${ratio >= 0.5 ? 'pass' : 'miss'})`,
      `p99 ${hubAtRate.p99Ms} ms at ${RATE} orders/s offered (target ≤ 50 ms: ${hubAtRate.p99Ms <= 50 ? 'pass' : `miss by ${Math.round(hubAtRate.p99Ms - 50)} ms`}; bare p99 ${bareAtRate.p99Ms} ms)`,
      `at ${halfRate}/s (half the bare handler's throughput) p99 ${hubAtHalf.p99Ms} ms, bare ${bareAtHalf.p99Ms} ms`,
    ];
    const bad = [hubMax, hubAtRate, hubAtHalf].reduce((k, f) => k + f.non2xx + f.errors, 0);
    const failed = bad > 0 ? `FAILED: ${bad} non-2xx answers or errors at the hub.\n` : '';
    const show = (f: Figures) => `${f.ordersPerSec} orders/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${f.created} created, ${f.non2xx} non-2xx, ${f.errors} errors`
      + (f.unanswered ? `, ${f.unanswered} unanswered 30 s after the offering stopped` : '')
      + (f.cpu ? `; CPU: ${showCpu(f.cpu)}` : '')
      + (f.workerDid ? `; meanwhile the worker completed ${f.workerDid.steps} workflow steps and made ${f.workerDid.webhookAttempts} webhook attempts` : '');
    return {
      name: 'order-intake',
      figures: {
        hubThroughput: show(hubMax),
        hubAtRate: show(hubAtRate),
        hubAtHalfBare: show(hubAtHalf),
        ...(catchUp?.workerDid ? { workerAfterBurst: `in the ${CATCH_UP_SECONDS} s after the last phase, with no intake: ${catchUp.workerDid.steps} workflow steps and ${catchUp.workerDid.webhookAttempts} webhook attempts; CPU: ${showCpu(catchUp.cpu ?? {})}` } : {}),
        ordersStoredDuringRun: stored,
        workflowStepsDoneDuringRun: stepsDone,
        hubApiPeakRssMiB: hubRss,
        setup: `${CONNECTIONS} connections; throughput: ${SECONDS} s as fast as answers come (autocannon), after ${WARMUP_SECONDS} s warm-up; latency: ${SECONDS} s offered steadily at ${RATE}/s and at ${halfRate}/s, `
          + `timed from when each request was due (bench/open-loop.ts), requests built before the phase. Pool ${POOL_MAX}, a worker fulfilling against the sandbox at nice ${WORKER_NICE} (HUB_WORKER_NICE) `
          + `that yields while intake takes ≥ ${WORKER_YIELD_ABOVE} orders/s, busy ≤ ${Math.round(Number(WORKER_YIELD_DUTY) * 100)} % of the time (HUB_WORKER_YIELD_ABOVE, HUB_WORKER_YIELD_DUTY), `
          + `committed jobs queued by ${JOB_DISPATCH === 'relay' ? 'the worker\'s outbox relay' : 'the API'} (HUB_JOB_DISPATCH=${JOB_DISPATCH}), the sandbox (suppliers and the mall's webhook receiver) at nice ${SANDBOX_NICE}, ${skus.length} SKUs of a ${catalog.items}-item catalog`,
        machine: `load average ${loadAtStart.toFixed(1)} at start`,
      },
      baseline: { bareThroughput: show(bareMax), bareAtRate: show(bareAtRate), bareAtHalf: show(bareAtHalf) },
      verdict: `${failed}Order intake at ${CONNECTIONS} connections: ${checks.join('; ')}. An offered rate above what a server sustains shows as a growing queue (p99 of seconds).`,
    };
  } finally {
    for (const s of servers.reverse()) await s.stop();
    await sandbox.stop();
    await clearRedisPrefix(redisPrefix);
  }
}

async function workerWork(): Promise<WorkerWork> {
  const r = (await withClient((c) => c.query<{ steps: string; attempts: string }>('select (select count(*) from workflow_step)::text steps, (select count(*) from webhook_attempt)::text attempts'))).rows[0];
  return { steps: Number(r?.steps), webhookAttempts: Number(r?.attempts) };
}

async function stepCount(): Promise<number> {
  return Number((await withClient((c) => c.query<{ n: string }>('select count(*)::text n from workflow_step'))).rows[0]?.n);
}

async function orderCount(): Promise<number> {
  return Number((await withClient((c) => c.query<{ n: string }>('select count(*)::text n from mall_order'))).rows[0]?.n);
}
