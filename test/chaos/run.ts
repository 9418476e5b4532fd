import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../connectors/sandbox/common/rng.ts';
import { collect } from './collect.ts';
import { ChaosDb, createDatabase, dbUrl, dropDatabase, restorePostgresSync } from './database.ts';
import { describeFaults, type InjectedFault, outageWindows, runSchedule, setSupplierFaults, stockoutPicks, supplierFaults } from './faults.ts';
import { HubClient } from './hub-client.ts';
import { checkAll, type Invariant } from './invariants.ts';
import { MallLoad } from './load.ts';
import { logSummary } from './logs.ts';
import { type ChaosOptions, parseOptions } from './options.ts';
import { freePort, HubProcesses } from './processes.ts';
import { elapsedSeconds, say } from './progress.ts';
import { deletePrefix } from './redis.ts';
import { type ChaosReport, deadLetterSummary, printInvariants, writeReport } from './report.ts';
import { settle } from './settle.ts';
import { createMall, type Mall, type SkuGroup, type Sku, skusOf, syncCatalogs, waitPriced } from './setup.ts';

/**
 * `npm run chaos [-- --quick]`: the hub as separate processes (two APIs, two workers, the
 * sandbox suppliers) on a database and Redis prefix of its own, two malls sending orders while
 * every supplier misbehaves and processes, PostgreSQL, Redis and the malls' endpoint fail in turn;
 * then, faults off and the hub settled, the invariants, each with its numbers. Exits 1 when one
 * fails or could not be checked. See README "Chaos run".
 */

const REPORTS = join(dirname(fileURLToPath(import.meta.url)), 'reports');
/** After a PostgreSQL cut or a Redis loss, pools reconnect within this; a 503 then is still the outage's. */
const OUTAGE_GRACE_MS = 10_000;
/** Three reconcile periods, a worker's lease and a margin: a run due longer than this is not being woken. */
const OVERDUE_MS = 30_000;

/** The hub's delays, shortened so a run settles in minutes (each is a src/config.ts variable). */
const HUB_TIMINGS = {
  HUB_WORKFLOW_BACKOFF_MS: '300',
  HUB_WORKFLOW_BACKOFF_MAX_MS: '5000',
  HUB_WORKFLOW_LEASE_MS: '15000',
  HUB_RECONCILE_EVERY_MS: '2000',
  // Eight waits, two minutes in all: longer than the endpoint's 30 s outage, so no delivery dies of it.
  HUB_WEBHOOK_RETRY_SCHEDULE_MS: '1000,2000,4000,8000,15000,30000,30000,30000',
  HUB_WEBHOOK_TIMEOUT_MS: '3000',
  HUB_ISSUANCE_POLL_MS: '2000',
  HUB_SHIPMENT_POLL_MS: '4000',
  HUB_TRACKING_STALE_MS: '8000',
  HUB_INBOUND_REQUEUE_AFTER_MS: '3000',
  HUB_JD_ORDER_POLL_EVERY_MS: '1000',
  HUB_SUPPLIER_TIMEOUT_MS: '2000',
  HUB_SUPPLIER_BREAKER_HALF_OPEN_MS: '3000',
  HUB_OUTBOX_RELAY_MIN_AGE_MS: '1000',
  HUB_SCHEDULE_CHECK_EVERY_MS: '2000',
};

/** The sandbox's lifecycle on the real clock: shipped 3 s after the order, delivered 8 s after (HUB_SANDBOX_* in src/config.ts). */
const SANDBOX_TIMINGS = {
  HUB_SANDBOX_SHIP_AFTER_MS: '3000',
  HUB_SANDBOX_TRANSIT_AFTER_MS: '5000',
  HUB_SANDBOX_DELIVER_AFTER_MS: '8000',
  HUB_SANDBOX_SPLIT_GAP_MS: '1000',
  HUB_SANDBOX_TOPUP_RESULT_AFTER_MS: '2000',
};

async function main(): Promise<number> {
  let opts: ChaosOptions;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const runId = randomBytes(4).toString('hex');
  const database = `hub_chaos_${runId}`;
  const redisPrefix = `chaos${runId}`;
  const adminToken = `rh_staff_chaos_${randomBytes(16).toString('hex')}`;
  const logDir = join(REPORTS, `${stamp}-${opts.profile}-logs`);
  mkdirSync(logDir, { recursive: true });
  const [api1Port, api2Port, sandboxPort] = [await freePort(), await freePort(), await freePort()];
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const apis = [{ name: 'api-1', url: `http://127.0.0.1:${api1Port}` }, { name: 'api-2', url: `http://127.0.0.1:${api2Port}` }];
  const hubEnv: Record<string, string> = {
    HUB_ENV: 'development',
    DATABASE_URL: dbUrl(database),
    HUB_DB_POOL_MAX: '5',
    HUB_REDIS_PREFIX: redisPrefix,
    HUB_ADMIN_TOKEN: adminToken,
    HUB_SANDBOX: 'true',
    HUB_SANDBOX_URL: sandboxUrl,
    HUB_SANDBOX_SKUS: String(opts.skus),
    // The catalog follows the run's seed too (kept small: it only picks which SKUs exist).
    HUB_SANDBOX_SEED: String(opts.seed % 1000),
    HUB_LOG_LEVEL: 'warn',
    HUB_CATALOG_SYNC_SCHEDULE: 'false',
    ...HUB_TIMINGS,
  };
  say('start', `${opts.profile} run, seed ${opts.seed}: database ${database}, Redis prefix ${redisPrefix}:, APIs :${api1Port} :${api2Port}, sandbox :${sandboxPort}; logs in ${relative(process.cwd(), logDir)}`);

  const processes = new HubProcesses(logDir, elapsedSeconds);
  processes.define('sandbox', { role: 'sandbox', url: sandboxUrl, env: { ...hubEnv, ...SANDBOX_TIMINGS, HUB_SANDBOX_PORT: String(sandboxPort), HUB_HOST: '127.0.0.1', HUB_PORT: String(api1Port) } });
  processes.define('api-1', { role: 'api', url: apis[0]?.url, env: { ...hubEnv, HUB_HOST: '127.0.0.1', HUB_PORT: String(api1Port) } });
  processes.define('api-2', { role: 'api', url: apis[1]?.url, env: { ...hubEnv, HUB_HOST: '127.0.0.1', HUB_PORT: String(api2Port) } });
  processes.define('worker-1', { role: 'worker', env: hubEnv });
  processes.define('worker-2', { role: 'worker', env: hubEnv });

  const client = new HubClient(apis);
  const db = new ChaosDb(database);
  const injected: InjectedFault[] = [];
  const phases: { phase: string; seconds: number }[] = [];
  let phaseStart = Date.now();
  const phase = (name: string) => {
    phases.push({ phase: name, seconds: Math.round((Date.now() - phaseStart) / 100) / 10 });
    phaseStart = Date.now();
  };
  let dbCreated = false;
  // Whatever ends the run (an error, Ctrl-C), PostgreSQL lets the hub's database be reached again.
  process.once('exit', () => {
    if (dbCreated) restorePostgresSync(database);
  });
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say('stop', `${signal}: stopping every process, then cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  async function cleanup(): Promise<void> {
    await processes.stopAll();
    await db.close();
    if (dbCreated) restorePostgresSync(database);
    if (opts.keep) {
      say('cleanup', `kept database ${database} and Redis keys ${redisPrefix}:* (--keep)`);
      return;
    }
    await deletePrefix(redisPrefix).catch((err: unknown) => say('cleanup', `Redis keys not deleted: ${String(err)}`));
    if (dbCreated) await dropDatabase(database).catch((err: unknown) => say('cleanup', `database not dropped: ${String(err)}`));
  }

  const report: Partial<ChaosReport> & Pick<ChaosReport, 'options'> = {
    startedAt: startedAt.toISOString(), options: opts, database, redisPrefix, hubEnv: { ...HUB_TIMINGS, ...SANDBOX_TIMINGS }, logs: relative(process.cwd(), logDir),
  };
  let invariants: Invariant[] = [];
  let load: MallLoad | undefined;
  let loadStart = Date.now();
  try {
    say('setup', 'creating and migrating the database');
    // Set first: a run stopped while it is being created still drops it.
    dbCreated = true;
    await createDatabase(database);
    await processes.start('sandbox');
    await processes.start('api-1');
    await processes.start('api-2');
    await processes.start('worker-1');
    await processes.start('worker-2');
    say('setup', `sandbox (pid ${processes.pid('sandbox')}), api-1 (${processes.pid('api-1')}), api-2 (${processes.pid('api-2')}), worker-1 (${processes.pid('worker-1')}), worker-2 (${processes.pid('worker-2')}) up`);
    phase('start processes');

    const suppliers = await syncCatalogs(client, adminToken, 180_000);
    say('setup', 'catalogs synced; creating the two malls');
    const malls: Mall[] = [
      await createMall(client, adminToken, sandboxUrl, 'mall-a', `chaos-${runId}-a`),
      await createMall(client, adminToken, sandboxUrl, 'mall-b', `chaos-${runId}-b`),
    ];
    const skus = new Map<Mall['name'], Map<SkuGroup, Sku[]>>();
    for (const m of malls) {
      const priced = await waitPriced(client, db, m, 120_000);
      const groups = await skusOf(db, m);
      skus.set(m.name, groups);
      say('setup', `${m.name} ${m.mallId}: ${priced} items priced; to order: ${[...groups].map(([g, l]) => `${g} ${l.length}`).join(', ')}`);
    }
    phase('catalog and malls');

    // Faults on every supplier for the whole load.
    const stockouts = stockoutPicks(skus.get('mall-a') ?? new Map(), seededRandom(opts.seed));
    const faultsOnAt = Date.now();
    for (const [i, id] of suppliers.entries()) await setSupplierFaults(sandboxUrl, id, supplierFaults(id, i, opts.seed, stockouts));
    say('faults', `on at every supplier (${suppliers.join(', ')}): ${describeFaults(supplierFaults('', 0, opts.seed, new Map()))}; ${[...stockouts.values()].flat().length} supplier SKUs out of stock`);

    load = new MallLoad(client, malls, skus, opts.seed, `c${runId}`);
    loadStart = Date.now();
    const ticker = setInterval(() => {
      const s = load?.stats;
      if (!s) return;
      const down = (['api-1', 'api-2', 'worker-1', 'worker-2'] as const).filter((n) => !processes.isUp(n));
      say('load', `${Math.round((Date.now() - loadStart) / 1000)}/${opts.loadSeconds} s: ${s.ordersSent} orders sent, ${s.accepted} accepted, ${s.unanswered} unanswered, ${s.cancelsSent} cancels; ${injected.length}/${opts.schedule.length} faults done${down.length ? `; down: ${down.join(', ')}` : ''}`);
    }, 5_000);
    try {
      await Promise.all([
        load.run(opts.orders, opts.loadSeconds),
        runSchedule(opts.schedule, { processes, database, redisPrefix, sandboxUrl, malls }, loadStart, injected),
      ]);
    } finally {
      clearInterval(ticker);
    }
    phase('load and faults');

    for (const id of suppliers) await setSupplierFaults(sandboxUrl, id, {});
    injected.push({ kind: 'supplier-faults', startMs: faultsOnAt, endMs: Date.now(), detail: 'every supplier, the whole load' });
    const restarted = await processes.ensureAllUp();
    say('faults', `off everywhere${restarted.length ? `; started again: ${restarted.join(', ')}` : ''}; ${load.stats.ordersSent} orders sent, ${load.stats.accepted} accepted`);

    // A delivery that failed through the outage waits up to the schedule's longest step before its
    // next attempt, and nothing else need move meanwhile: a quiet shorter than that is no stall
    // (the quick run's 30 s once matched the 30 s step and gave up on deliveries still due).
    const longestRetryWaitMs = Math.max(...HUB_TIMINGS.HUB_WEBHOOK_RETRY_SCHEDULE_MS.split(',').map(Number));
    const settled = await settle(db, opts.settleSeconds * 1000, Math.max(opts.stallSeconds * 1000, longestRetryWaitMs + 10_000));
    phase('settle');
    say('settle', `${settled.outcome}: ${settled.last.openLines} lines in progress, ${settled.last.undelivered} deliveries not delivered`);
    report.settle = { outcome: settled.outcome, seconds: phases.at(-1)?.seconds ?? 0, last: settled.last };

    say('check', 'reading the hub, the suppliers\' ledgers and the malls\' receivers');
    const observed = await collect(db, client, adminToken, sandboxUrl, suppliers, malls);
    invariants = checkAll(observed, {
      sent: load.sent, answers: client.answers, probes: load.probes, injected, outages: outageWindows(injected, OUTAGE_GRACE_MS),
      unexpectedExits: processes.unexpectedExits, malls, overdueMs: OVERDUE_MS, settleOutcome: settled.outcome, schedule: opts.schedule,
    });
    report.deadLetters = deadLetterSummary(observed.deadLetters);
    report.effects = { stepRetries: observed.stepRetries, runStatuses: observed.runStatuses, attemptOutcomes: observed.attemptOutcomes };
    phase('check');
  } catch (err) {
    report.error = err instanceof Error ? err.message : String(err);
    say('error', report.error);
  } finally {
    say('cleanup', 'stopping every process');
    await cleanup();
  }

  const full: ChaosReport = {
    ...(report as ChaosReport),
    durationSeconds: Math.round(elapsedSeconds()),
    phases,
    load: load?.stats ?? { ordersSent: 0, requests: 0, accepted: 0, refused: {}, unanswered: 0, cancelsSent: 0, cancelResults: {}, catalogReads: { sent: 0, ok: 0 }, orderReads: { sent: 0, ok: 0 } },
    // Seconds from the start of the load, as the schedule counts them.
    faults: injected.map(({ startMs, endMs, ...f }) => ({ ...f, atSeconds: Math.round((startMs - loadStart) / 1000), forSeconds: Math.round((endMs - startMs) / 1000) })),
    settle: report.settle ?? { outcome: 'not reached', seconds: 0, last: {} },
    invariants,
    deadLetters: report.deadLetters ?? { error: 'not read' },
    logSummary: logSummary(logDir),
    unanswered: unansweredSummary(client, loadStart),
    cancels: (load?.sent ?? []).flatMap((o) => o.cancels.map((c) => ({ orderId: o.orderId ?? '', mall: o.mall, atSeconds: Math.round((c.atMs - loadStart) / 100) / 10, status: c.status, tries: c.tries, lines: c.lines }))),
  };
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const l = full.load;
  out(`\nLoad: ${l.ordersSent} orders (${l.requests} order requests), ${l.accepted} accepted, refused ${JSON.stringify(l.refused)}, ${l.unanswered} never answered; ${l.cancelsSent} cancels, per line ${JSON.stringify(l.cancelResults)}; catalog reads ${l.catalogReads.ok}/${l.catalogReads.sent} ok, order reads ${l.orderReads.ok}/${l.orderReads.sent} ok`);
  if (full.unanswered.length) out(`No answer: ${full.unanswered.slice(0, 6).map((u) => `${u.count}× ${u.what} (at ${u.atSeconds.slice(0, 8).join(', ')} s)`).join('; ')}`);
  out(`Faults: ${full.faults.map((f) => `${f.kind}${f.target ? ` ${f.target}` : ''} at ${f.atSeconds} s for ${f.forSeconds} s`).join('; ')}`);
  printInvariants(invariants, out);
  if (full.effects) {
    const undone = full.effects.stepRetries.filter((x) => / compensat/.test(x.step)).map((x) => `${x.step} ${x.steps}`);
    out(`\nWorkflow runs: ${full.effects.runStatuses.map((x) => `${x.status} ${x.n}`).join(', ')}; compensations: ${undone.join(', ') || 'none'}`);
  }
  if (!('error' in full.deadLetters)) {
    out(`\nDead letters: ${full.deadLetters.count}`);
    for (const [reason, n] of Object.entries(full.deadLetters.byReason)) out(`  ${n}× ${reason}`);
  }
  out(`\nThe processes logged (warn and above, folded by cause; all in the report):`);
  for (const l of full.logSummary.slice(0, 12)) out(`  ${String(l.count).padStart(5)}× ${l.what}`);
  const paths = writeReport(REPORTS, stamp, full);
  const failed = invariants.filter((i) => i.status !== 'pass');
  out(`\nReport: ${relative(process.cwd(), paths.md)} (and .json); ${full.durationSeconds} s in all (${phases.map((p) => `${p.phase} ${p.seconds} s`).join(', ')})`);
  if (full.error) out(`The run did not complete: ${full.error}`);
  else out(failed.length ? `${failed.length} of ${invariants.length} invariants failed or could not be checked.` : `All ${invariants.length} invariants hold.`);
  return full.error || failed.length || invariants.length === 0 ? 1 : 0;
}

/** Requests with no answer grouped by API and error, and when (seconds into the load, distinct). */
function unansweredSummary(client: HubClient, loadStart: number): ChaosReport['unanswered'] {
  const groups = new Map<string, number[]>();
  for (const a of client.answers.filter((x) => x.status === null)) {
    const k = `${a.api} ${a.route}: ${a.error ?? '?'}`;
    groups.set(k, [...(groups.get(k) ?? []), Math.round((a.atMs - loadStart) / 1000)]);
  }
  return [...groups].map(([what, at]) => ({ what, count: at.length, atSeconds: [...new Set(at)] })).sort((a, b) => b.count - a.count);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
