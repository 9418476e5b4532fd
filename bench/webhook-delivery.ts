/**
 * `npm run bench -- webhook-delivery`: deliveries/s through the hub's real delivery path (mall_event
 * outbox → dispatcher → BullMQ → batched claim, address check, sign, POST, batched record) to a
 * receiver in another process, against bare HTTP POSTs of the same bodies from this process to the
 * same receiver. The two alternate for BENCH_WEBHOOK_ROUNDS rounds (3) and the medians are compared,
 * so a slow spell of this shared machine hits both. Targets: ≥ 1 000/s and ≥ 50 % of bare. Own
 * database (BENCH_WEBHOOK_DB, default bench_webhooks); BENCH_WEBHOOK_EVENTS per round (10 000),
 * BENCH_WEBHOOK_CONCURRENCY (64, bare requests in flight); the hub runs with its configuration
 * (HUB_WEBHOOK_BATCH, HUB_WEBHOOK_PARALLEL, HUB_WEBHOOK_CONCURRENCY).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { buildDeps, closeDeps } from '../src/deps.ts';
import { migrate } from '../src/persistence/orm.ts';
import { dispatchWebhooks, processWebhookDelivery, webhookDeliverDeps } from '../src/queues/processors/webhook-delivery.processor.ts';
import { WorkerHost } from '../src/queues/worker-host.ts';
import { createRedis } from '../src/redis/connection.ts';
import { dbUrl, withClient } from './bench-db.ts';
import { clearRedisPrefix } from './catalog-query.ts';
import type { BenchResult } from './bench-result.ts';

const env = process.env;
const DB = env.BENCH_WEBHOOK_DB ?? 'bench_webhooks';
if (!/^[a-z_][a-z0-9_]*$/.test(DB) || DB === 'bench_catalog') throw new Error(`BENCH_WEBHOOK_DB must be its own plain identifier, not "${DB}"`);
const EVENTS = Number(env.BENCH_WEBHOOK_EVENTS ?? 10_000);
const ROUNDS = Number(env.BENCH_WEBHOOK_ROUNDS ?? 3);
const CONCURRENCY = Number(env.BENCH_WEBHOOK_CONCURRENCY ?? 64);
const ADMIN = `bench-admin-${randomBytes(12).toString('hex')}`;

// The mall's endpoint: a plain node:http server in its own process answering 200 to everything.
const RECEIVER = `
import { createServer } from 'node:http';
const s = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

async function startReceiver(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`receiver exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/hook`, stop: () => child.kill() };
}

// What the hub's request carries besides the body, fixed: bare sends the same bytes, unsigned.
const BARE_HEADERS = {
  'content-type': 'application/json',
  'user-agent': 'redemption-hub-webhooks/1',
  'webhook-id': 'evt_01a24a18e82c7460bcc296e0ec072038',
  'webhook-timestamp': '1796000000',
  'webhook-signature': `v1,${'A'.repeat(43)}=`,
};

/** Bare POSTs of `bodies` (with the hub's headers, precomputed) with `CONCURRENCY` in flight; deliveries/s. */
async function bare(url: string, bodies: string[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      const res = await fetch(url, { method: 'POST', headers: BARE_HEADERS, body });
      await res.text();
      if (res.status !== 200) throw new Error(`bare POST answered ${res.status}`);
    }
  }));
  return Math.round(bodies.length / ((performance.now() - started) / 1000));
}

export async function benchWebhookDelivery(): Promise<BenchResult> {
  await withClient(async (c) => {
    await c.query(`drop database if exists ${DB} with (force)`);
    await c.query(`create database ${DB}`);
  }, 'postgres');
  await migrate({ databaseUrl: dbUrl(DB), dbPoolMax: 2 });
  const receiver = await startReceiver();
  const prefix = `bench_wh_${randomBytes(3).toString('hex')}`;
  const config = loadConfig({ ...env, DATABASE_URL: dbUrl(DB), HUB_REDIS_PREFIX: prefix, HUB_ADMIN_TOKEN: ADMIN, HUB_SANDBOX: 'true', HUB_LOG_LEVEL: 'warn', HUB_DB_POOL_MAX: '20', HUB_ENV: 'development' });
  const deps = await buildDeps(config);
  const app = createApp(deps);
  const res = await app.request('/admin/malls', { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bench mall', webhookUrl: receiver.url }) });
  if (res.status !== 201) throw new Error(`create mall: ${res.status} ${await res.text()}`);
  const { mallId } = (await res.json()) as { mallId: string };

  const sample = JSON.stringify({ id: 'evt_bench1', type: 'line.shipped', createdAt: new Date().toISOString(), data: { orderId: 'ord_bench1', mallOrderId: 'M-1', lineId: '1', trackingNo: 'SF1', seq: 1 } });
  const bodies = Array.from({ length: EVENTS }, () => sample);
  const connection = createRedis(config.redisUrl);
  const host = new WorkerHost({ connection, prefix, logger: deps.logger, metrics: deps.metrics, concurrency: 1 });
  host.register('webhookDelivery', (p) => processWebhookDelivery(p, webhookDeliverDeps(deps)), { concurrency: config.webhook.concurrency });
  // Warm the receiver, this process's HTTP client and the hub's statements up.
  await bare(receiver.url, bodies.slice(0, 2000));
  await hubRound(deps, config.webhook.batchSize, mallId, 'warm', 2000);

  const bareRates: number[] = [];
  const hubRates: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    bareRates.push(await bare(receiver.url, bodies));
    hubRates.push(await hubRound(deps, config.webhook.batchSize, mallId, `r${round}`, EVENTS));
  }
  await host.close();
  connection.disconnect();
  await closeDeps(deps);
  receiver.stop();
  await clearRedisPrefix(prefix);
  const hubRate = median(hubRates);
  const bareRate = median(bareRates);
  const share = Math.round((hubRate / bareRate) * 100);
  const { batchSize, parallel, concurrency } = config.webhook;
  return {
    name: 'webhook-delivery',
    figures: { deliveriesPerSec: hubRate, rounds: hubRates.join(' / '), eventsPerRound: EVENTS, batchSize, parallel, concurrency, shareOfBarePct: share },
    baseline: { barePostsPerSec: bareRate, rounds: bareRates.join(' / '), inFlight: CONCURRENCY },
    verdict: `${hubRate >= 1000 && share >= 50 ? 'PASS' : 'FAIL'}: ${hubRate} deliveries/s through the hub (median of ${ROUNDS}; target ≥ 1 000/s), ${share} % of ${bareRate} bare POSTs/s (target ≥ 50 %)`,
  };
}

/**
 * One hub round: `n` order events as the workflows write them (one per order, seq 1) go into the
 * outbox untimed; then the dispatcher runs and the clock stops when every delivery is recorded.
 */
async function hubRound(deps: Awaited<ReturnType<typeof buildDeps>>, batchSize: number, mallId: string, tag: string, n: number): Promise<number> {
  await withClient((c) => c.query(
    `insert into mall_event (id, mall_id, order_id, seq, type, data, created_at)
     select 'evt_' || $3 || '_' || i, $1, 'ord_' || $3 || '_' || i, 1, 'line.shipped',
            jsonb_build_object('orderId', 'ord_' || $3 || '_' || i, 'mallOrderId', 'M-' || i, 'lineId', '1', 'trackingNo', 'SF' || i), now()
     from generate_series(1, $2) i`,
    [mallId, n, tag],
  ), DB);
  const started = performance.now();
  await dispatchWebhooks({ em: deps.orm.em, clock: deps.clock, queues: deps.queues, batchSize, limit: 2000 });
  // Polls what is left through the partial index on undelivered rows: polling must not load the database it measures.
  while (await withClient(async (c) => Number((await c.query("select count(*) n from webhook_delivery where status <> 'delivered'")).rows[0].n), DB)) {
    if (performance.now() - started > 300_000) throw new Error(`round ${tag}: not every delivery was recorded within 5 minutes`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Math.round(n / ((performance.now() - started) / 1000));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchWebhookDelivery();
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
