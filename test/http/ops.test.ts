import { compileErrors, validate } from '@readme/openapi-parser';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeBound } from '../../src/persistence/bound-query.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('GET /healthz and /readyz', () => {
  it('answers ok when PostgreSQL, Redis and migrations are fine', async () => {
    expect(await json(await hub.call('GET', '/healthz'))).toEqual({ status: 'ok' });
    const res = await hub.call('GET', '/readyz');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.status).toBe('ready');
    expect(body.checks.postgres.ok && body.checks.redis.ok && body.checks.migrations.ok).toBe(true);
  });

  it('answers 503 naming Redis when Redis is unreachable', async () => {
    // Nothing listens on port 1: every connection attempt is refused.
    const deadRedis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    const broken = await startTestHub({ redis: deadRedis });
    try {
      const res = await broken.call('GET', '/readyz');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = await json(res);
      expect(body.error.code).toBe('unavailable');
      expect(body.error.message).toContain('redis');
      expect(body.error.details.failed).toEqual(['redis']);
      expect(body.error.details.checks.postgres.ok).toBe(true);
      // Liveness is unaffected.
      expect((await broken.call('GET', '/healthz')).status).toBe(200);
    } finally {
      await broken.close();
    }
  });

  it('answers 503 naming migrations on a database that was never migrated', async () => {
    const fresh = await startTestHub({ migrated: false });
    try {
      const res = await fresh.call('GET', '/readyz');
      expect(res.status).toBe(503);
      const body = await json(res);
      expect(body.error.details.failed).toEqual(['migrations']);
      expect(body.error.details.checks.migrations.error).toContain('20261123-0001-foundation');
    } finally {
      await fresh.close();
    }
  });
});

describe('GET /openapi.json and /docs', () => {
  it('publishes a document that a real OpenAPI 3.1 validator accepts', async () => {
    const doc = await json<any>(await hub.call('GET', '/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    // The validator is not a rubber stamp: a broken copy fails.
    const broken = structuredClone(doc);
    broken.paths['/healthz'].get.responses = 'none';
    expect((await validate(broken)).valid).toBe(false);
    for (const path of ['/admin/malls', '/admin/tokens', '/admin/audit', '/v1/mall', '/v1/events/{eventId}', '/readyz']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.components.securitySchemes.mallApiKey.scheme).toBe('bearer');
    expect(doc.components.schemas.Error).toBeDefined();
    const ids = Object.values(doc.paths).flatMap((p: any) => Object.values(p).map((op: any) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('serves the API reference page with its script from the hub itself (no CDN)', async () => {
    const page = await hub.call('GET', '/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/docs/scalar.js');
    expect(html).toContain('/openapi.json');
    expect(html).not.toContain('cdn.jsdelivr.net');
    const script = await hub.call('GET', '/docs/scalar.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    // The browser's own request for an icon gets an empty answer, not a 404 in the console and the logs.
    expect((await hub.call('GET', '/favicon.ico')).status).toBe(204);
  });
});

describe('GET /metrics', () => {
  it('exposes process metrics and an HTTP histogram by route template and status', async () => {
    await hub.call('GET', '/admin/malls/mall_x', { token: ADMIN_TOKEN });
    await hub.call('GET', '/healthz');
    const text = await (await hub.call('GET', '/metrics')).text();
    expect(text).toContain('hub_process_cpu_user_seconds_total');
    expect(text).toMatch(/hub_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    // The template, not the concrete id, so cardinality stays bounded.
    expect(text).toMatch(/route="\/admin\/malls\/:mallId",status="404"/);
    expect(text).not.toContain('mall_x');
  });

  it('shows how many committed jobs wait in the outbox, and how long the oldest has waited', async () => {
    const em = hub.deps.orm.em.fork();
    const scrape = async () => (await hub.call('GET', '/metrics')).text();
    expect(await scrape()).toMatch(/^hub_outbox_pending_jobs 0$/m);
    expect(await scrape()).toMatch(/^hub_outbox_oldest_pending_seconds 0$/m);
    await executeBound(em, "insert into job_outbox (queue, job_id, payload, created_at) values ('workflow', 'm-1', '{}', now() - interval '90 seconds'), ('workflow', 'm-2', '{}', now())", []);
    const text = await scrape();
    expect(text).toMatch(/^hub_outbox_pending_jobs 2$/m);
    const oldest = Number(/^hub_outbox_oldest_pending_seconds (\S+)$/m.exec(text)?.[1]);
    expect(oldest).toBeGreaterThanOrEqual(90);
    expect(oldest).toBeLessThan(120);
    await executeBound(em, "update job_outbox set dispatched_at = now() where job_id in ('m-1', 'm-2')", []);
    expect(await scrape()).toMatch(/^hub_outbox_pending_jobs 0$/m);
  });
});
