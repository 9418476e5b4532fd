import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPENDENCY_RETRY_AFTER_MS } from '../../src/http/dependency-failure.ts';
import { cuttableProxy } from '../fuzz/net-faults.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

const realRedis = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

let hub: TestHub;
let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
let mall: { apiKey: string };
beforeAll(async () => {
  // The hub reaches Redis through a proxy the test cuts: Redis itself stays up for everyone else.
  proxy = await cuttableProxy({ host: realRedis.hostname, port: Number(realRedis.port || 6379) });
  hub = await startTestHub({ env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}` } });
  mall = await hub.createMall('Rate limited through Redis');
});
afterAll(async () => {
  await proxy.restore();
  await hub.close();
});

const triggerSync = () => hub.call('POST', '/admin/catalog/sync/jd?mode=incremental', { token: ADMIN_TOKEN });
const auditRows = async () => Number((await hub.deps.orm.em.fork().getConnection().execute<{ n: string }[]>("select count(*)::text n from audit_entry where action = 'catalog.sync.trigger'"))[0]?.n);

describe('Redis down', () => {
  it('answers a route that needs a queue with 503 unavailable and Retry-After, changes nothing, and logs at warn', async () => {
    expect((await triggerSync()).status).toBe(202);
    const audited = await auditRows();
    await proxy.cut();
    const started = Date.now();
    const res = await triggerSync();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(DEPENDENCY_RETRY_AFTER_MS / 1000));
    const body = await json(res);
    expect(body.error).toMatchObject({ code: 'unavailable', details: { dependency: 'redis' } });
    // The API's Redis clients fail fast: a caller is not held for long.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await auditRows()).toBe(audited);
    const warned = hub.logs.lines.filter((l) => l.includes('dependency unavailable')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(warned).toEqual([expect.objectContaining({ level: 40, dependency: 'redis', reason: expect.stringMatching(/^(max retries per request|connection closed|command timeout)$/) })]);
    expect(hub.logs.text).not.toContain('unhandled error');
    expect(hub.logs.text).not.toContain(ADMIN_TOKEN);
  });

  it('keeps answering mall routes that only rate-limit through Redis (the limiter lets them through)', async () => {
    await proxy.cut();
    const res = await hub.call('GET', '/v1/mall', { token: mall.apiKey });
    expect(res.status).toBe(200);
  });
});
