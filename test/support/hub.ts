import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Redis } from 'ioredis';
import { createApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { buildDeps, closeDeps } from '../../src/deps.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import type { HubDeps, HubEnv } from '../../src/http/context.ts';
import { startWorker } from '../../src/roles/worker.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createTestDatabase } from './databases.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** Log lines written by the hub under test, for assertions about what reaches the logs. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

/** A hub wired to its own database and Redis key prefix, driven in-process through `app.request`. */
export interface TestHub {
  app: OpenAPIHono<HubEnv>;
  deps: HubDeps;
  config: Config;
  clock: ManualClock;
  logs: LogCapture;
  /** Calls the app like an HTTP client would; JSON bodies are serialised. */
  call(method: string, path: string, opts?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<Response>;
  /** Creates a mall through the admin API and returns its id and key. */
  createMall(name?: string, extra?: Record<string, unknown>): Promise<{ mallId: string; apiKey: string; webhookSecret: string }>;
  close(): Promise<void>;
}

/** Starts a test hub. Each call gets a fresh database cloned from the migrated template. */
export async function startTestHub(opts: { env?: Record<string, string>; redis?: Redis; migrated?: boolean; supplierNow?: () => Date } = {}): Promise<TestHub> {
  const db = await createTestDatabase({ migrated: opts.migrated });
  const prefix = `t_${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    HUB_ENV: 'test',
    DATABASE_URL: db.url,
    HUB_DB_POOL_MAX: '5',
    HUB_REDIS_PREFIX: prefix,
    HUB_ADMIN_TOKEN: ADMIN_TOKEN,
    HUB_SANDBOX: 'true',
    HUB_AUTH_CACHE_MS: '0',
    HUB_READY_TIMEOUT_MS: '500',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    ...opts.env,
  });
  const clock = new ManualClock();
  const logs = new LogCapture();
  const deps = await buildDeps(config, { clock, logger: createLogger({ level: 'info', destination: logs }), redis: opts.redis, ...(opts.supplierNow ? { supplierNow: opts.supplierNow } : {}) });
  const app = createApp(deps);

  const call: TestHub['call'] = (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    return Promise.resolve(app.request(path, { method, headers, body }));
  };

  return {
    app,
    deps,
    config,
    clock,
    logs,
    call,
    async createMall(name = 'Test mall', extra = {}) {
      const res = await call('POST', '/admin/malls', { token: ADMIN_TOKEN, body: { name, webhookUrl: 'http://127.0.0.1:9/hook', ...extra } });
      if (res.status !== 201) throw new Error(`createMall: ${res.status} ${await res.text()}`);
      return (await res.json()) as { mallId: string; apiKey: string; webhookSecret: string };
    },
    async close() {
      await closeDeps(deps);
      await db.drop();
      await clearPrefix(config.redisUrl, prefix);
    },
  };
}

/** A test hub whose queue workers run in this process (startWorker); `close` stops them first. */
export async function startTestHubWithWorker(env: Record<string, string>): Promise<TestHub> {
  const hub = await startTestHub({ env });
  const stopWorker = await startWorker(hub.deps);
  return { ...hub, close: async () => { await stopWorker(); await hub.close(); } };
}

/** Deletes every Redis key a test file created under its prefix. */
export async function clearPrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
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

/** Parses a JSON response body with a type. */
export async function json<T = Record<string, any>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
