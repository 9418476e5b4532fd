import { serve } from '@hono/node-server';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../observability/logger.ts';

// The sandbox role: the only module of the hub that may import the simulated suppliers (and,
// through them, the fixtures). CI checks it (.dependency-cruiser.cjs).

/**
 * Starts the built-in supplier sandboxes (their own HTTP server, their own virtual clock: it moves
 * the suppliers' lifecycles, never the wall time their signatures and tokens use).
 */
export async function startSandbox(config: Config, logger = createLogger({ level: config.logLevel, name: 'sandbox' })): Promise<() => Promise<void>> {
  const clock = new SandboxClock();
  // The realistic pace unless configured shorter (HUB_SANDBOX_*_AFTER_MS: the chaos run does).
  // The drift share starts at 0 (the generated catalog); the re-sync bench raises it over HTTP.
  const drift = { share: 0 };
  const ctx = { clock, seed: config.sandboxSeed, skus: config.sandboxSkus, hubUrl: config.publicUrl, lifecycle: { ...defaultLifecycle, ...config.sandboxLifecycle }, drift };
  const sandboxes = createSandboxes(ctx, config.suppliers);
  const app = createSandboxHost(sandboxes, clock, drift);
  const server = serve({ fetch: app.fetch, hostname: config.sandboxHost, port: config.sandboxPort });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Sandbox time runs with real time too: let due lifecycle steps happen without a test driving them.
  const ticker = setInterval(() => void clock.advance(0).catch((err: unknown) => logger.warn({ err }, 'sandbox tick failed')), 1_000);
  // What each supplier holds and sent: GET /sandbox (JSON) and /sandbox/ui (a page).
  logger.info({ port: config.sandboxPort, suppliers: sandboxes.map((s) => s.id), skusPerSupplier: config.sandboxSkus, inspect: '/sandbox/ui' }, 'sandbox listening');
  return () => {
    clearInterval(ticker);
    return new Promise<void>((resolve) => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => resolve());
    });
  };
}
