import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { MallSchema } from '../../src/persistence/entities/mall.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

async function audit(resourceId: string) {
  return (await json(await hub.call('GET', `/admin/audit?resourceId=${resourceId}`, { token: ADMIN_TOKEN }))).items as any[];
}

describe('POST /admin/malls', () => {
  it('creates a mall and shows its key and webhook secret once', async () => {
    const res = await hub.call('POST', '/admin/malls', { token: ADMIN_TOKEN, body: { name: '招行积分商城', webhookUrl: 'http://127.0.0.1:8080/hook', pointsPerYuan: 50 } });
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.mallId).toMatch(/^mall_[0-9a-f]{32}$/);
    expect(body.apiKey).toMatch(/^rh_live_[A-Za-z0-9_-]{43}$/);
    expect(body.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(body.mall).toMatchObject({ name: '招行积分商城', pointsPerYuan: 50, rateLimit: { perSec: 200, burst: 400 }, webhookEnabled: true });
    const again = await json(await hub.call('GET', `/admin/malls/${body.mallId}`, { token: ADMIN_TOKEN }));
    expect(JSON.stringify(again)).not.toContain(body.apiKey);
    expect(JSON.stringify(again)).not.toContain(body.webhookSecret);
    // The secret is encrypted at rest with a key id.
    const row = await hub.deps.orm.em.fork().findOneOrFail(MallSchema, { id: body.mallId });
    expect(row.webhookSecret.keyId).toBe('dev1');
    expect(JSON.stringify(row.webhookSecret)).not.toContain(body.webhookSecret.slice(6));
    expect(hub.deps.malls.signingSecrets(row)).toEqual([body.webhookSecret]);
  });

  it('writes an audit entry with who, what, when and the state after, without secrets', async () => {
    const m = await hub.createMall('Audited mall');
    const entries = await audit(m.mallId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorType: 'admin', actorId: 'bootstrap', action: 'mall.create', resourceType: 'mall', resourceId: m.mallId, before: null });
    expect(entries[0].after.name).toBe('Audited mall');
    expect(entries[0].requestId).toBeTruthy();
    expect(JSON.stringify(entries)).not.toContain(m.apiKey);
  });

  it('records before and after for an update, and for token actions', async () => {
    const m = await hub.createMall('Before name');
    const res = await hub.call('PATCH', `/admin/malls/${m.mallId}`, { token: ADMIN_TOKEN, body: { name: 'After name', rateLimit: { perSec: 5, burst: 10 } } });
    expect(res.status).toBe(200);
    const [update] = await audit(m.mallId);
    expect(update).toMatchObject({ action: 'mall.update', before: { name: 'Before name' }, after: { name: 'After name', rateLimit: { perSec: 5, burst: 10 } } });
    const t = await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: 'a' } }));
    await hub.call('DELETE', `/admin/tokens/${t.tokenId}`, { token: ADMIN_TOKEN });
    const actions = (await audit(t.tokenId)).map((e) => e.action);
    expect(actions).toEqual(['token.revoke', 'token.create']);
  });

  it('rejects unknown fields on update', async () => {
    const m = await hub.createMall('Strict');
    const res = await hub.call('PATCH', `/admin/malls/${m.mallId}`, { token: ADMIN_TOKEN, body: { webhookSecret: 'whsec_x' } });
    expect(res.status).toBe(400);
  });
});

describe('webhook URL policy', () => {
  it('refuses loopback, private, link-local and metadata URLs outside sandbox mode', async () => {
    const prod = await startTestHub({ env: { HUB_SANDBOX: 'false' } });
    try {
      for (const url of ['http://127.0.0.1/x', 'http://localhost:8080/x', 'http://10.1.2.3/x', 'http://192.168.1.1/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://metadata.google.internal/x', 'ftp://example.com/x', 'http://user:pw@203.0.113.9/x']) {
        const res = await prod.call('POST', '/admin/malls', { token: ADMIN_TOKEN, body: { name: 'x', webhookUrl: url } });
        expect(res.status, url).toBe(400);
        const body = await json(res);
        expect(body.error.code).toBe('validation_failed');
        expect(body.error.details.fields[0].path).toBe('body.webhookUrl');
      }
      const ok = await prod.call('POST', '/admin/malls', { token: ADMIN_TOKEN, body: { name: 'public', webhookUrl: 'https://93.184.216.34/hook' } });
      expect(ok.status).toBe(201);
    } finally {
      await prod.close();
    }
  });
});

describe('webhook secret rotation', () => {
  it('signs with both secrets for 24 h, then only the new one; housekeeping drops the old', async () => {
    const m = await hub.createMall('Rotating secret');
    const res = await hub.call('POST', `/admin/malls/${m.mallId}/webhook-secret/rotate`, { token: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    const { webhookSecret, previousSecretExpiresAt } = await json(res);
    expect(new Date(previousSecretExpiresAt).getTime() - hub.clock.now().getTime()).toBe(24 * 3600_000);
    const em = hub.deps.orm.em.fork();
    expect(hub.deps.malls.signingSecrets(await em.findOneOrFail(MallSchema, { id: m.mallId }))).toEqual([webhookSecret, m.webhookSecret]);
    hub.clock.advance(24 * 3600_000 + 1);
    expect(hub.deps.malls.signingSecrets(await em.fork().findOneOrFail(MallSchema, { id: m.mallId }))).toEqual([webhookSecret]);
    const r = await processMaintenance({ task: 'expire-webhook-secrets' }, { em: em.fork(), clock: hub.clock });
    expect(r.affected).toBeGreaterThanOrEqual(1);
    const row = await em.fork().findOneOrFail(MallSchema, { id: m.mallId });
    expect(row.previousWebhookSecret).toBeNull();
  });
});

describe('rate limit', () => {
  it('answers 429 rate_limited with Retry-After once a mall exceeds its burst, and recovers', async () => {
    const m = await hub.createMall('Limited', { rateLimit: { perSec: 1, burst: 2 } });
    expect((await hub.call('GET', '/v1/mall', { token: m.apiKey })).status).toBe(200);
    expect((await hub.call('GET', '/v1/mall', { token: m.apiKey })).status).toBe(200);
    const limited = await hub.call('GET', '/v1/mall', { token: m.apiKey });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await json(limited)).error.code).toBe('rate_limited');
    // Another mall is not affected.
    const other = await hub.createMall('Unlimited');
    expect((await hub.call('GET', '/v1/mall', { token: other.apiKey })).status).toBe(200);
    hub.clock.advance(1_000);
    expect((await hub.call('GET', '/v1/mall', { token: m.apiKey })).status).toBe(200);
  });
});
