import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SupplierError } from '../../connectors/errors.ts';
import { createApp } from '../../src/app.ts';
import { DEPENDENCY_RETRY_AFTER_MS } from '../../src/http/dependency-failure.ts';
import { toAppError } from '../../src/http/errors.ts';
import { deadPort, silentServer } from '../fuzz/net-faults.ts';
import { json, startTestHub, type TestHub } from '../support/hub.ts';

/**
 * A supplier call that fails escapes the handler that made it. Today only the cancel route calls a
 * supplier, and it handles its own outages; this probe route stands for any handler that does not,
 * so the mapping every route relies on is tested against real connector failures.
 */
async function probedApp(hub: TestHub) {
  const app = createApp(hub.deps);
  const brand = hub.deps.connectors.get('brand-acme') as SupplierConnector;
  app.get('/probe/brand-order', async (c) => c.json(await brand.getOrder('BO-1')));
  return app;
}

describe('a supplier that cannot be reached', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ env: { HUB_SANDBOX_URL: `http://127.0.0.1:${await deadPort()}`, HUB_SUPPLIER_BREAKER_HALF_OPEN_MS: '60000' } });
  });
  afterAll(() => hub.close());

  it('answers 503 unavailable with Retry-After (connection refused, then an open circuit), logged at warn', async () => {
    const app = await probedApp(hub);
    const reasons: string[] = [];
    // Each call retries; a few calls open the brand's circuit, after which calls fail at once.
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/probe/brand-order');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(DEPENDENCY_RETRY_AFTER_MS / 1000));
      expect((await json(res)).error).toMatchObject({ code: 'unavailable', details: { dependency: 'supplier' } });
    }
    for (const l of hub.logs.lines.filter((x) => x.includes('dependency unavailable'))) reasons.push((JSON.parse(l) as { reason: string }).reason);
    expect(reasons[0]).toBe('brand-acme unavailable');
    expect(reasons.at(-1)).toBe('brand-acme circuit_open');
    expect(hub.logs.text).not.toContain('unhandled error');
  });
});

describe('a supplier that does not answer in time', () => {
  let hub: TestHub;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  beforeAll(async () => {
    silent = await silentServer();
    hub = await startTestHub({ env: { HUB_SANDBOX_URL: `http://127.0.0.1:${silent.port}`, HUB_SUPPLIER_TIMEOUT_MS: '150' } });
  });
  afterAll(async () => {
    await hub.close();
    await silent.close();
  });

  it('answers 503 unavailable with Retry-After, logged at warn as a timeout', async () => {
    const res = await (await probedApp(hub)).request('/probe/brand-order');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(DEPENDENCY_RETRY_AFTER_MS / 1000));
    const warned = hub.logs.lines.filter((l) => l.includes('dependency unavailable')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(warned).toEqual([expect.objectContaining({ level: 40, dependency: 'supplier', reason: 'brand-acme timeout' })]);
  });
});

describe('a supplier error that is not an outage', () => {
  it('stays a 500 internal_error: a refused signature or a request the supplier calls malformed is a bug of ours', () => {
    for (const code of ['bad_request', 'bad_signature', 'auth_failed', 'rejected'] as const) {
      expect(toAppError(new SupplierError('brand-acme', code, 'refused')).code).toBe('internal_error');
    }
  });
});
