/**
 * Writes the hub's OpenAPI document (what `GET /openapi.json` serves) to a file, or to stdout:
 * `node scripts/openapi-json.ts [out.json]`. Used by `npm run lint:openapi`.
 *
 * It builds the real app with the real dependencies (`buildDeps`, `createApp`) and asks it for
 * `/openapi.json` in-process (`app.request`), so the document is exactly the served one. Nothing
 * is started and nothing is reached: the ORM connects on first use (this request makes none) and
 * Redis gets a lazy client that never connects, so neither PostgreSQL nor Redis needs to be up.
 */
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { buildDeps, closeDeps } from '../src/deps.ts';
import { createLogger } from '../src/observability/logger.ts';

const out = process.argv[2];
const config = loadConfig({ ...process.env, HUB_LOG_LEVEL: 'silent' });
const redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
const deps = await buildDeps(config, { redis, logger: createLogger({ level: 'silent' }) });
try {
  const res = await createApp(deps).request('/openapi.json');
  if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}: ${await res.text()}`);
  const text = `${JSON.stringify(await res.json(), null, 2)}\n`;
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
} finally {
  await closeDeps(deps);
}
