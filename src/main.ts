import { setPriority } from 'node:os';
import { startSandbox } from './roles/sandbox.ts';
import { type Config, loadConfig } from './config.ts';
import { buildDeps, closeDeps } from './deps.ts';
import { ensureDemoMall, sandboxAdminToken } from './malls/demo-mall.ts';
import { migrate } from './persistence/orm.ts';
import { startApi } from './roles/api.ts';
import type { Stoppable } from './roles/stoppable.ts';
import { startWorker } from './roles/worker.ts';

// The roles live in src/roles/; this file picks one (or, for `start`, all three) and stops them on a signal.
/** Stops everything on SIGINT/SIGTERM, in reverse order of start, within the grace period. */
export function stopOnSignals(stops: Stoppable[], graceMs: number, after?: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: shutting down…\n`);
    const timer = setTimeout(() => process.exit(1), graceMs).unref();
    for (const s of [...stops].reverse()) await s().catch(() => undefined);
    await after?.();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** `hub <role>`: api | worker | sandbox | migrate | start (all three, for a newcomer). */
export async function main(role: string): Promise<void> {
  let config = loadConfig();
  switch (role) {
    case 'migrate': {
      const done = await migrate(config);
      process.stdout.write(done.length ? `applied: ${done.join(', ')}\n` : 'database is up to date\n');
      return;
    }
    case 'api': {
      const deps = await buildDeps(config, { appName: 'redemption-hub-api' });
      stopOnSignals([await startApi(deps)], config.shutdownGraceMs, () => closeDeps(deps));
      return;
    }
    case 'worker': {
      // The whole process (its threads included): only a process of its own can yield to the API.
      if (config.workerNice > 0) setPriority(config.workerNice);
      const deps = await buildDeps(config, { appName: 'redemption-hub-worker' });
      stopOnSignals([await startWorker(deps)], config.shutdownGraceMs, () => closeDeps(deps));
      return;
    }
    case 'sandbox': {
      stopOnSignals([await startSandbox(config)], config.shutdownGraceMs);
      return;
    }
    case 'start': {
      await migrate(config);
      const sandboxUrl = `http://127.0.0.1:${config.sandboxPort}`;
      if (config.sandbox) config = { ...config, adminToken: await sandboxAdminToken(config.localFile, config.adminToken) };
      const stops = [await startSandbox(config)];
      const deps = await buildDeps(config);
      stops.push(await startWorker(deps), await startApi(deps));
      stopOnSignals(stops, config.shutdownGraceMs, () => closeDeps(deps));
      printWelcome(config, config.sandbox && config.adminToken ? await ensureDemoMall(deps, config.adminToken, `${sandboxUrl}/mall-receiver/demo`) : null, sandboxUrl);
      return;
    }
    default:
      throw new Error(`unknown role "${role}"; use one of: start, api, worker, sandbox, migrate`);
  }
}

function printWelcome(config: Config, secrets: Awaited<ReturnType<typeof ensureDemoMall>> | null, sandboxUrl: string): void {
  const u = config.publicUrl;
  const lines = [
    '',
    'redemption-hub is running',
    `  API            ${u}`,
    `  API reference  ${u}/docs   (OpenAPI: ${u}/openapi.json)`,
    `  health         ${u}/healthz   ${u}/readyz   ${u}/metrics`,
    `  console        ${u}/console   (support staff: sign in with a staff token, e.g. the admin token below)`,
    `  sandbox        ${sandboxUrl}   (demo mall webhooks: ${sandboxUrl}/mall-receiver/demo)`,
  ];
  if (secrets?.demoMall) {
    lines.push(
      '',
      `Demo mall ${secrets.demoMall.mallId} (keys saved in ${config.localFile}):`,
      `  mall API key   ${secrets.demoMall.apiKey}`,
      `  admin token    ${secrets.adminToken}`,
      '',
      'Try:',
      `  curl -H "Authorization: Bearer ${secrets.demoMall.apiKey}" ${u}/v1/mall`,
      `  curl -H "Authorization: Bearer ${secrets.adminToken}" ${u}/admin/malls`,
    );
  }
  lines.push('', 'Ctrl-C stops everything.', '');
  process.stdout.write(lines.join('\n'));
}
