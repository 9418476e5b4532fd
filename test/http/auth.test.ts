import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendMallEvent } from '../../src/mall-webhooks/outbox.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let mallA: { mallId: string; apiKey: string };
let mallB: { mallId: string; apiKey: string };
let agentToken: string;

beforeAll(async () => {
  hub = await startTestHub();
  mallA = await hub.createMall('Mall A');
  mallB = await hub.createMall('Mall B');
  const res = await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: 'agent 1' } });
  agentToken = (await json(res)).token;
});
afterAll(() => hub.close());

describe('mall API keys', () => {
  it('answers 401 unauthorized without a key', async () => {
    const res = await hub.call('GET', '/v1/mall');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect((await json(res)).error.code).toBe('unauthorized');
  });

  it('answers 401 with a wrong key, a malformed header, or a staff token', async () => {
    for (const authorization of ['Bearer rh_live_wrong', 'Basic dXNlcjpwYXNz', `Bearer ${agentToken}`, `Bearer ${ADMIN_TOKEN}`, 'Bearer']) {
      const res = await hub.call('GET', '/v1/mall', { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect((await json(res)).error.code).toBe('unauthorized');
    }
  });

  it('lets a mall read its own settings', async () => {
    const res = await hub.call('GET', '/v1/mall', { token: mallA.apiKey });
    expect(res.status).toBe(200);
    expect((await json(res)).mallId).toBe(mallA.mallId);
  });

  it('stores only a keyed hash of each key', async () => {
    const rows = await hub.deps.orm.em.fork().getConnection().execute<{ secret_hash: string; display_prefix: string }[]>('select secret_hash, display_prefix from api_credential');
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(mallA.apiKey);
    expect(dump).not.toContain(mallA.apiKey.slice(8, 30));
    for (const r of rows) expect(r.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('tenancy', () => {
  it("answers 404 when a mall reads another mall's resource", async () => {
    const em = hub.deps.orm.em.fork();
    const evt = await em.transactional((tx) => appendMallEvent(tx, hub.clock, { mallId: mallB.mallId, orderId: 'o_b1', type: 'order.accepted', data: { mallOrderId: 'MB-1' } }));
    const own = await hub.call('GET', `/v1/events/${evt.id}`, { token: mallB.apiKey });
    expect(own.status).toBe(200);
    expect((await json(own)).data).toMatchObject({ orderId: 'o_b1', seq: 1, mallOrderId: 'MB-1' });
    const other = await hub.call('GET', `/v1/events/${evt.id}`, { token: mallA.apiKey });
    expect(other.status).toBe(404);
    const missing = await hub.call('GET', '/v1/events/evt_doesnotexist', { token: mallA.apiKey });
    expect(await json(other)).toEqual({ error: { code: 'not_found', message: (await json(missing)).error.message } });
    const list = await json(await hub.call('GET', '/v1/events', { token: mallA.apiKey }));
    expect(list.items.map((e: { id: string }) => e.id)).not.toContain(evt.id);
  });
});

describe('staff tokens and roles', () => {
  it('answers 401 on admin routes without a token or with a mall key', async () => {
    expect((await hub.call('GET', '/admin/malls')).status).toBe(401);
    expect((await hub.call('GET', '/admin/malls', { token: mallA.apiKey })).status).toBe(401);
    expect((await hub.call('GET', '/admin/malls', { token: 'rh_staff_nope' })).status).toBe(401);
  });

  it('answers 403 forbidden when an agent calls an admin-only route', async () => {
    for (const [method, path, body] of [
      ['POST', '/admin/malls', { name: 'x', webhookUrl: 'http://127.0.0.1/x' }],
      ['POST', '/admin/tokens', { role: 'admin', name: 'escalate' }],
      ['GET', '/admin/audit', undefined],
      ['POST', `/admin/malls/${mallA.mallId}/api-key/rotate`, {}],
    ] as const) {
      const res = await hub.call(method, path, { token: agentToken, body });
      expect(res.status, path).toBe(403);
      expect((await json(res)).error.code).toBe('forbidden');
    }
  });

  it('lets an agent read malls', async () => {
    expect((await hub.call('GET', '/admin/malls', { token: agentToken })).status).toBe(200);
    expect((await hub.call('GET', `/admin/malls/${mallA.mallId}`, { token: agentToken })).status).toBe(200);
  });

  it('lets an admin token created by the bootstrap admin create and revoke tokens', async () => {
    const admin = (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'admin', name: 'ops' } }))).token;
    const agent = await json(await hub.call('POST', '/admin/tokens', { token: admin, body: { role: 'agent', name: 'temp' } }));
    expect((await hub.call('GET', '/admin/malls', { token: agent.token })).status).toBe(200);
    const revoked = await hub.call('DELETE', `/admin/tokens/${agent.tokenId}`, { token: admin });
    expect(revoked.status).toBe(200);
    expect((await json(revoked)).revokedAt).not.toBeNull();
    expect((await hub.call('GET', '/admin/malls', { token: agent.token })).status).toBe(401);
    const listed = await json(await hub.call('GET', '/admin/tokens', { token: admin }));
    expect(JSON.stringify(listed)).not.toContain(agent.token);
  });

  it('refuses an expired token', async () => {
    const t = await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: 'short', expiresAt: new Date(hub.clock.now().getTime() + 60_000).toISOString() } }));
    expect((await hub.call('GET', '/admin/malls', { token: t.token })).status).toBe(200);
    hub.clock.advance(61_000);
    expect((await hub.call('GET', '/admin/malls', { token: t.token })).status).toBe(401);
  });
});

describe('key rotation', () => {
  it('rotates a mall key: the new key works, the old one stops after the grace period', async () => {
    const m = await hub.createMall('Rotating mall');
    const r = await json(await hub.call('POST', `/admin/malls/${m.mallId}/api-key/rotate`, { token: ADMIN_TOKEN, body: { graceSeconds: 60 } }));
    expect(r.apiKey).toMatch(/^rh_live_/);
    expect((await hub.call('GET', '/v1/mall', { token: r.apiKey })).status).toBe(200);
    expect((await hub.call('GET', '/v1/mall', { token: m.apiKey })).status).toBe(200);
    hub.clock.advance(61_000);
    expect((await hub.call('GET', '/v1/mall', { token: m.apiKey })).status).toBe(401);
    expect((await hub.call('GET', '/v1/mall', { token: r.apiKey })).status).toBe(200);
  });

  it('rotates with no grace by default', async () => {
    const m = await hub.createMall('Rotating mall 2');
    const r = await json(await hub.call('POST', `/admin/malls/${m.mallId}/api-key/rotate`, { token: ADMIN_TOKEN }));
    expect((await hub.call('GET', '/v1/mall', { token: m.apiKey })).status).toBe(401);
    expect((await hub.call('GET', '/v1/mall', { token: r.apiKey })).status).toBe(200);
  });

  it('answers 404 when rotating an unknown mall', async () => {
    const res = await hub.call('POST', '/admin/malls/mall_nope/api-key/rotate', { token: ADMIN_TOKEN, body: {} });
    expect(res.status).toBe(404);
  });
});
