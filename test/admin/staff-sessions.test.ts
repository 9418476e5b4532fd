import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processMaintenance } from '../../src/queues/processors/maintenance.processor.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

/**
 * Staff sessions (POST /admin/sessions, GET and DELETE /admin/sessions/current): what the console
 * signs in with. A session is a staff token's role for HUB_CONSOLE_SESSION_MS (never past the
 * token's own expiry), works wherever the token does and names the token in audit entries, cannot
 * start another session, and stops working when it is ended, when it expires, or when its token
 * is revoked. Its secret never reaches a log line.
 */

const HOUR = 3600_000;
let hub: TestHub;
let mallKey: string;

const token = async (role: 'agent' | 'admin', extra: Record<string, unknown> = {}) => {
  const b = await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role, name: `${role}-${Math.random()}`, ...extra } }));
  return { token: b.token as string, tokenId: b.tokenId as string };
};
const start = (bearer: string) => hub.call('POST', '/admin/sessions', { token: bearer });

beforeAll(async () => {
  hub = await startTestHub({ env: { HUB_CONSOLE_SESSION_MS: String(8 * HOUR) } });
  mallKey = (await hub.createMall('会话商城')).apiKey;
});
afterAll(() => hub?.close());

describe('POST /admin/sessions', () => {
  it('makes a session of the token’s role, for 8 hours, that works where the token does and is audited under the token', async () => {
    const agent = await token('agent');
    const res = await start(agent.token);
    expect(res.status).toBe(201);
    const s = await json(res);
    expect(s).toMatchObject({ tokenId: agent.tokenId, role: 'agent', revokedAt: null });
    expect(s.token).toMatch(/^rh_sess_[A-Za-z0-9_-]{40,}$/);
    expect(new Date(s.expiresAt).getTime()).toBe(hub.clock.now().getTime() + 8 * HOUR);
    expect((await hub.call('GET', '/admin/tickets', { token: s.token })).status).toBe(200);
    expect((await hub.call('GET', '/admin/audit', { token: s.token })).status).toBe(403);
    expect(await json(await hub.call('GET', '/admin/sessions/current', { token: s.token }))).toEqual({ sessionId: s.sessionId, tokenId: agent.tokenId, role: 'agent', name: s.name, expiresAt: s.expiresAt, revokedAt: null });
    const audit = await json(await hub.call('GET', `/admin/audit?resourceId=${s.sessionId}`, { token: ADMIN_TOKEN }));
    expect(audit.items).toEqual([expect.objectContaining({ action: 'session.create', actorType: 'agent', actorId: agent.tokenId, resourceType: 'staff_session' })]);
    // Only a hash is stored.
    const rows = await hub.deps.orm.em.fork().getConnection().execute<{ secret_hash: string; kind: string; created_by: string }[]>('select secret_hash, kind, created_by from api_credential where id = ?', [s.sessionId]);
    expect(rows).toEqual([{ secret_hash: expect.not.stringContaining(s.token), kind: 'staff_session', created_by: agent.tokenId }]);
  });

  it('does not outlive its token, and refuses a session, a mall key or nothing as the bearer', async () => {
    const shortLived = await token('admin', { expiresAt: new Date(hub.clock.now().getTime() + 2 * HOUR).toISOString() });
    const s = await json(await start(shortLived.token));
    expect(new Date(s.expiresAt).getTime()).toBe(hub.clock.now().getTime() + 2 * HOUR);
    const again = await start(s.token);
    expect(again.status).toBe(403);
    expect((await json(again)).error.message).toContain('a session cannot start another session');
    expect((await start(mallKey)).status).toBe(401);
    expect((await hub.call('POST', '/admin/sessions')).status).toBe(401);
    // The bootstrap token makes sessions too.
    expect(await json(await start(ADMIN_TOKEN))).toMatchObject({ tokenId: 'bootstrap', role: 'admin' });
  });
});

describe('the end of a session', () => {
  it('DELETE /admin/sessions/current ends it at once; the token goes on working; a token is not a session (409)', async () => {
    const agent = await token('agent');
    const s = await json(await start(agent.token));
    const ended = await hub.call('DELETE', '/admin/sessions/current', { token: s.token });
    expect(ended.status).toBe(200);
    expect((await json(ended)).revokedAt).toBe(hub.clock.now().toISOString());
    expect((await hub.call('GET', '/admin/tickets', { token: s.token })).status).toBe(401);
    expect((await hub.call('GET', '/admin/sessions/current', { token: s.token })).status).toBe(401);
    expect((await hub.call('GET', '/admin/tickets', { token: agent.token })).status).toBe(200);
    const notASession = await hub.call('DELETE', '/admin/sessions/current', { token: agent.token });
    expect(notASession.status).toBe(409);
    expect((await hub.call('GET', '/admin/sessions/current', { token: agent.token })).status).toBe(409);
  });

  it('expires after HUB_CONSOLE_SESSION_MS, and ends with its token’s revocation', async () => {
    const agent = await token('agent');
    const a = await json(await start(agent.token));
    const b = await json(await start(agent.token));
    hub.clock.advance(8 * HOUR - 1000);
    expect((await hub.call('GET', '/admin/tickets', { token: a.token })).status).toBe(200);
    hub.clock.advance(1000);
    expect((await hub.call('GET', '/admin/tickets', { token: a.token })).status).toBe(401);
    const c = await json(await start(agent.token));
    expect((await hub.call('DELETE', `/admin/tokens/${agent.tokenId}`, { token: ADMIN_TOKEN })).status).toBe(200);
    expect((await hub.call('GET', '/admin/tickets', { token: c.token })).status).toBe(401);
    expect(b.sessionId).not.toBe(a.sessionId);
  });

  it('keeps session secrets out of the logs and out of the token list', async () => {
    const s = await json(await start(ADMIN_TOKEN));
    await hub.call('GET', '/admin/tickets', { token: s.token });
    expect(hub.logs.text).not.toContain(s.token);
    expect(hub.logs.text).not.toMatch(/rh_sess_[A-Za-z0-9_-]{8,}/);
    const tokens = await json(await hub.call('GET', '/admin/tokens?limit=200', { token: ADMIN_TOKEN }));
    expect(tokens.items.map((t: { tokenId: string }) => t.tokenId)).not.toContain(s.sessionId);
  });

  it('are deleted by maintenance once ended for HUB_STAFF_SESSIONS_RETENTION_MS; live ones, tokens and the audit stay', async () => {
    const DAY = 24 * HOUR;
    const prune = async () => (await processMaintenance({ task: 'prune-staff-sessions' }, { em: hub.deps.orm.em.fork(), clock: hub.clock, staffSessionsRetentionMs: 30 * DAY })).affected;
    // The sessions of the tests above, all ended, go first.
    hub.clock.advance(31 * DAY);
    expect(await prune()).toBeGreaterThan(0);
    const agent = await token('agent');
    const expiring = await json(await start(agent.token));
    const signedOut = await json(await start(agent.token));
    expect((await hub.call('DELETE', '/admin/sessions/current', { token: signedOut.token })).status).toBe(200);
    const ids = async () => (await hub.deps.orm.em.fork().getConnection().execute<{ id: string }[]>('select id from api_credential where id in (?, ?, ?)', [expiring.sessionId, signedOut.sessionId, agent.tokenId])).map((r) => r.id).sort();

    // Signed out now, expiring in 8 hours: neither is past the 30 days yet.
    hub.clock.advance(30 * DAY - HOUR);
    expect(await prune()).toBe(0);
    hub.clock.advance(2 * HOUR);
    // The signed-out one ended 30 days and an hour ago; the other expired 8 hours after it started.
    expect(await prune()).toBe(1);
    expect(await ids()).toEqual([agent.tokenId, expiring.sessionId].sort());
    hub.clock.advance(8 * HOUR);
    const live = await json(await start(agent.token));
    expect(await prune()).toBe(1);
    expect(await ids()).toEqual([agent.tokenId]);
    expect((await hub.call('GET', '/admin/tickets', { token: live.token })).status).toBe(200);
    const audit = await json(await hub.call('GET', `/admin/audit?resourceId=${signedOut.sessionId}`, { token: ADMIN_TOKEN }));
    expect(audit.items.map((a: { action: string }) => a.action).sort()).toEqual(['session.create', 'session.end']);
  });
});
