/**
 * `npm run client:example` (CI, after `client:check`): runs clients/typescript/example.ts against a
 * hub started for the purpose, and exits with the example's code.
 *
 * The hub is what `npm start` runs (`node src/cli.ts start`: migrations, sandbox suppliers, worker
 * and API in one process, the demo mall) on free ports, with a throw-away database
 * (`hub_client_example_<random>`), Redis prefix, admin token and `.hub-local.json`, and small
 * sandbox catalogs (200 goods per supplier) synced through the admin API. Everything it made is
 * removed afterwards, whatever happened. PostgreSQL and Redis must be up (scripts/env.sh starts
 * them; `.ci/run` sources it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dbUrl, dropDatabase } from '../test/chaos/database.ts';
import { freePort } from '../test/chaos/processes.ts';
import { sleep } from '../test/chaos/progress.ts';
import { deletePrefix } from '../test/chaos/redis.ts';

const ROOT = join(import.meta.dirname, '..');
const started = Date.now();
const say = (message: string) => process.stdout.write(`[client-example ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}\n`);

const runId = randomBytes(4).toString('hex');
const database = `hub_client_example_${runId}`;
const redisPrefix = `cex${runId}`;
const adminToken = `rh_staff_example_${randomBytes(16).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'hub-client-example-'));
const localFile = join(dir, 'hub-local.json');
const [apiPort, sandboxPort] = [await freePort(), await freePort()];
const hubUrl = `http://127.0.0.1:${apiPort}`;

let hub: ChildProcess | undefined;
/** The hub's output so far (shown when the run fails). */
const hubOutput: Buffer[] = [];
let exitCode = 1;
let cleaning: Promise<void> | undefined;
// Whatever ends this script, the hub it started does not outlive it.
process.once('exit', () => hub?.kill('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping the hub and cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
try {
  say(`starting the hub (npm start's processes) on ${hubUrl}, sandbox :${sandboxPort}, database ${database}, Redis prefix ${redisPrefix}:`);
  hub = startHub();
  await waitFor('the hub to be ready (/readyz)', async () => {
    if (hub?.exitCode != null) throw new Error(`the hub exited with ${hub.exitCode}`);
    return (await fetch(`${hubUrl}/readyz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false)) ? true : undefined;
  }, 60_000, 200);
  const demo = await waitFor('the demo mall in the local file', async () => readDemoMall(), 30_000, 200);

  await syncCatalogs();
  await waitFor('the demo mall to sell physical goods in stock', async () => {
    const res = await fetch(`${hubUrl}/v1/catalog/items?kind=physical&inStock=true&limit=1`, { headers: { authorization: `Bearer ${demo.apiKey}` } });
    return res.ok && ((await res.json()) as { items: unknown[] }).items.length > 0 ? true : undefined;
  }, 30_000, 500);

  say('running clients/typescript/example.ts');
  exitCode = await runExample({ HUB_URL: hubUrl, HUB_API_KEY: demo.apiKey, HUB_WEBHOOK_SECRET: demo.webhookSecret, HUB_ADMIN_TOKEN: adminToken, HUB_LOCAL_FILE: localFile });
  say(exitCode === 0 ? 'the example succeeded' : `the example failed (exit ${exitCode})`);
} catch (err) {
  say(`failed: ${err instanceof Error ? err.message : String(err)}`);
  exitCode = 1;
} finally {
  if (exitCode !== 0) printLogTail();
  await cleanup();
}
process.exit(exitCode);

/** Stops the hub, then removes its Redis keys, database and files (once, however often it is called). */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await stopHub();
    await deletePrefix(redisPrefix).catch((err: unknown) => say(`Redis keys ${redisPrefix}:* not deleted: ${String(err)}`));
    await dropDatabase(database).catch((err: unknown) => say(`database ${database} not dropped: ${String(err)}`));
    rmSync(dir, { recursive: true, force: true });
  })();
  return cleaning;
}

/** Polls `check` every `everyMs` until it returns a value; an error it throws ends the wait at once. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

function startHub(): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HUB_'))),
    HUB_ENV: 'development',
    HUB_SANDBOX: 'true',
    DATABASE_URL: dbUrl(database),
    HUB_DB_POOL_MAX: '5',
    HUB_REDIS_PREFIX: redisPrefix,
    HUB_ADMIN_TOKEN: adminToken,
    HUB_LOCAL_FILE: localFile,
    HUB_HOST: '127.0.0.1',
    HUB_PORT: String(apiPort),
    HUB_SANDBOX_PORT: String(sandboxPort),
    HUB_SANDBOX_SKUS: '200',
    // Synced once, below; no scheduled sync competes with it.
    HUB_CATALOG_SYNC_SCHEDULE: 'false',
    HUB_LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, ['src/cli.ts', 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => hubOutput.push(c));
  child.stderr?.on('data', (c: Buffer) => hubOutput.push(c));
  return child;
}

function printLogTail(): void {
  const lines = Buffer.concat(hubOutput).toString('utf8').trimEnd().split('\n');
  if (lines.length && lines[0]) process.stdout.write(`--- the hub's last ${Math.min(40, lines.length)} log lines ---\n${lines.slice(-40).join('\n')}\n---\n`);
}

async function stopHub(): Promise<void> {
  const child = hub;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  if (await Promise.race([exited.then(() => true), sleep(12_000).then(() => false)])) return;
  child.kill('SIGKILL');
  await exited;
}

function readDemoMall(): { apiKey: string; webhookSecret: string } | undefined {
  try {
    const v = JSON.parse(readFileSync(localFile, 'utf8')) as { demoMall?: { apiKey: string; webhookSecret: string } };
    return v.demoMall;
  } catch {
    return undefined;
  }
}

/** A full sync of every supplier through the admin API, then waits until each has succeeded (it reprices every mall's items). */
async function syncCatalogs(): Promise<void> {
  const admin = (method: string, path: string) => fetch(`${hubUrl}${path}`, { method, headers: { authorization: `Bearer ${adminToken}` } });
  const status = async () => ((await (await admin('GET', '/admin/catalog/sync')).json()) as { items: { supplierId: string; lastSuccessAt: string | null; lastRun: { status: string; lastError: string | null } | null }[] }).items;
  const suppliers = (await status()).map((s) => s.supplierId);
  for (const id of suppliers) {
    const r = await admin('POST', `/admin/catalog/sync/${id}`);
    if (r.status !== 202) throw new Error(`POST /admin/catalog/sync/${id} answered ${r.status} ${await r.text()}`);
  }
  say(`catalog sync queued for ${suppliers.join(', ')}`);
  await waitFor('every supplier\'s catalog sync to succeed', async () => {
    const items = await status();
    const failed = items.find((s) => s.lastRun?.status === 'failed');
    if (failed) throw new Error(`catalog sync of ${failed.supplierId} failed: ${failed.lastRun?.lastError}`);
    return items.length > 0 && items.every((s) => s.lastSuccessAt !== null) ? true : undefined;
  }, 60_000, 500);
  say('catalogs synced');
}

function runExample(env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['clients/typescript/example.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
