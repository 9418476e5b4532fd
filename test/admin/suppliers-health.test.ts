import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle, type Sandbox } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { SupplierHealthShare } from '../../src/redis/supplier-health-share.ts';
import { listSupplierHealth } from '../../src/suppliers/supplier-health.ts';
import { createConnectors } from '../../src/suppliers.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';
import { seedOrder } from '../support/seed-orders.ts';

/**
 * GET /admin/suppliers (issue 19, Admin API "Suppliers"): per supplier account its circuit and recent
 * calls (counted where every supplier call passes), last catalog sync, open after-sales and balance,
 * against the sandboxes with faults set over their control API.
 */

const DAY = 24 * 3600_000;
let hub: TestHub;
let server: { url: string; close: () => Promise<void> };
let sandboxes: Sandbox[];
let mall: { mallId: string; apiKey: string };
let agent: string;
let admin: string;

const sql = <T extends object[]>(q: string, p: unknown[] = []) => hub.deps.orm.em.fork().getConnection().execute<T>(q, p);
const connector = (id: string) => hub.deps.connectors.get(id) as SupplierConnector;
const setFaults = async (supplierId: string, faults: Record<string, unknown>) => {
  const r = await fetch(`${server.url}/${supplierId}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  expect(r.status).toBe(200);
};
const supplier = async (id: string, token = agent) => {
  const r = await hub.call('GET', `/admin/suppliers/${id}`, { token });
  expect(r.status).toBe(200);
  return json(r);
};

beforeAll(async () => {
  const clock = new SandboxClock();
  sandboxes = createSandboxes({ clock, seed: 19, skus: 40, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers);
  server = await serveOnLoopback(createSandboxHost(sandboxes, clock));
  // An open circuit stays open for the whole file.
  hub = await startTestHub({ env: { HUB_SANDBOX_URL: server.url, HUB_SUPPLIER_BREAKER_HALF_OPEN_MS: '600000' } });
  mall = await hub.createMall('供应商看板商城');
  agent = (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: '客服：王芳' } }))).token;
  admin = (await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'admin', name: '运营：李强' } }))).token;
});
afterEach(() => {
  for (const s of sandboxes) s.faults.reset();
});
afterAll(async () => {
  await server?.close();
  await hub?.close();
});

describe('GET /admin/suppliers', () => {
  it('lists every configured supplier account in configuration order, for agents and admins', async () => {
    for (const token of [agent, admin, ADMIN_TOKEN]) {
      const r = await hub.call('GET', '/admin/suppliers', { token });
      expect(r.status).toBe(200);
      const { items } = await json<{ items: Record<string, any>[] }>(r);
      expect(items.map((s) => s.supplierId)).toEqual(hub.deps.supplierIds);
      expect(items.map((s) => s.kind)).toEqual(['jd', 'taobao', 'brand', 'brand', 'topup', 'topup']);
      for (const s of items) {
        expect(Object.keys(s).sort()).toEqual(
          ['balance', 'calls', 'circuit', 'errorRate', 'failures', 'inFlight', 'kind', 'lastError', 'lastErrorAt', 'lastSync', 'openAfterSales', 'p50Ms', 'p95Ms', 'processes', 'supplierId', 'windowMs'].sort(),
        );
        expect(s).toMatchObject({ circuit: 'closed', inFlight: 0, windowMs: 300_000, processes: 1 });
      }
    }
  });

  it('counts the calls a connector made, with their latency and no failures', async () => {
    const before = await supplier('brand-acme');
    expect(before).toMatchObject({ circuit: 'closed', failures: 0, errorRate: 0, lastError: null, lastErrorAt: null });
    await connector('brand-acme').listCatalog({ limit: 5 });
    await connector('brand-acme').listCatalog({ limit: 5 });
    const after = await supplier('brand-acme');
    expect(after.calls).toBe(before.calls + 2);
    expect(after).toMatchObject({ failures: 0, errorRate: 0, lastError: null });
    expect(after.p50Ms).toBeGreaterThan(0);
    expect(after.p95Ms).toBeGreaterThanOrEqual(after.p50Ms);
    expect(after.p95Ms).toBeLessThan(5_000);
  });

  it('the error rate rises while the sandbox answers 5xx, and the circuit is reported open after repeated failures', async () => {
    await connector('brand-lumen').listCatalog({ limit: 5 });
    const ok = await supplier('brand-lumen');
    expect(ok).toMatchObject({ circuit: 'closed', failures: 0, errorRate: 0 });

    await setFaults('brand-lumen', { errorRate: 1 });
    // Four attempts (one and three retries), all 503: unavailable, the circuit still closed (5 to open).
    await expect(connector('brand-lumen').listCatalog({ limit: 5 })).rejects.toMatchObject({ code: 'unavailable' });
    const failing = await supplier('brand-lumen');
    expect(failing).toMatchObject({ circuit: 'closed', calls: ok.calls + 4, failures: 4 });
    expect(failing.errorRate).toBeCloseTo(4 / (ok.calls + 4), 4);
    expect(failing.lastError).toBe('unavailable (service_unavailable): HTTP 503 service_unavailable: The service is temporarily unavailable');
    expect(Date.now() - new Date(failing.lastErrorAt).getTime()).toBeLessThan(30_000);

    // The fifth failure opens the circuit; the retry after it is refused without reaching the supplier (not counted).
    await expect(connector('brand-lumen').listCatalog({ limit: 5 })).rejects.toMatchObject({ code: 'circuit_open' });
    const open = await supplier('brand-lumen');
    expect(open).toMatchObject({ circuit: 'open', calls: ok.calls + 5, failures: 5 });
    expect(open.errorRate).toBeGreaterThan(failing.errorRate);
    // The list says the same; a supplier that did not fail is untouched.
    const { items } = await json<{ items: Record<string, any>[] }>(await hub.call('GET', '/admin/suppliers', { token: agent }));
    expect(items.find((s) => s.supplierId === 'brand-lumen')).toMatchObject({ circuit: 'open', failures: 5 });
    expect(items.find((s) => s.supplierId === 'brand-acme')).toMatchObject({ circuit: 'closed', failures: 0 });
  });

  it('merges the figures every other hub process shared through Redis; a process that stopped drops out', async () => {
    // Another process (a worker, say): its own connectors, calling the same sandboxes.
    const otherConnectors = createConnectors(hub.deps.config.suppliers);
    const share = (connectors: ReadonlyMap<string, SupplierConnector>, processKey: string) =>
      new SupplierHealthShare(hub.deps.redis, hub.deps.config.redisPrefix, connectors, { everyMs: 5_000, now: () => hub.clock.now().getTime(), processKey });
    const worker = share(otherConnectors, 'worker-host:4242');
    const mine = await supplier('jd');
    for (let i = 0; i < 3; i++) await (otherConnectors.get('jd') as SupplierConnector).listCatalog({ limit: 5 });
    await worker.publish();
    const theirs = (otherConnectors.get('jd') as SupplierConnector).health();
    expect(theirs.calls).toBeGreaterThanOrEqual(3);
    const merged = await supplier('jd');
    expect(merged).toMatchObject({ processes: 2, calls: mine.calls + theirs.calls, failures: mine.failures + theirs.failures, circuit: mine.circuit });
    expect(merged.p95Ms).toBeGreaterThan(0);
    // Every supplier of the worker counts, those it did not call too.
    expect(await supplier('brand-lumen')).toMatchObject({ processes: 2 });

    // This process shares its own too: the worker sees them.
    await hub.deps.supplierHealth.publish();
    const seenByWorker = await worker.others();
    expect(seenByWorker.get('jd')?.[0]).toMatchObject({ calls: mine.calls });

    // Three periods without a word from the worker: it stopped; its figures go, and so does its field.
    hub.clock.advance(15_001);
    expect(await supplier('jd')).toMatchObject({ processes: 1, calls: mine.calls });
    expect(await hub.deps.redis.hget(`${hub.deps.config.redisPrefix}:supplier-health`, 'worker-host:4242')).toBeNull();
  });

  it('answers with this process’s figures alone when Redis does not answer', async () => {
    const deps = { em: hub.deps.orm.em.fork(), clock: hub.clock, supplierIds: hub.deps.supplierIds, connectors: hub.deps.connectors, others: () => Promise.reject(new Error('redis down')) };
    const items = await listSupplierHealth(deps);
    expect(items.map((s) => s.processes)).toEqual(hub.deps.supplierIds.map(() => 1));
    expect(items.find((s) => s.supplierId === 'jd')?.calls).toBe(connector('jd').health().calls);
  });

  it('shows the last catalog sync after one ran, null before', async () => {
    expect((await supplier('topup-fulu')).lastSync).toBeNull();
    await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, connector('topup-fulu'));
    const s = await supplier('topup-fulu');
    expect(s.lastSync).toMatchObject({ mode: 'full', status: 'succeeded', errors: 0, lastError: null, startedAt: hub.clock.now().toISOString() });
    expect(s.lastSync.runId).toMatch(/^\d+$/);
    expect(s.lastSync.seen).toBeGreaterThan(0);
    expect(s.lastSync.pages).toBeGreaterThan(0);
    expect(s.lastSync.finishedAt).not.toBeNull();
    expect(s.lastSync.lastSuccessAt).toBe(s.lastSync.finishedAt);
    expect(s.calls).toBeGreaterThan(0);
    expect((await supplier('taobao')).lastSync).toBeNull();
  });

  it('reads the prepaid balance of the suppliers that have a balance call (top-up), null for the others and when the read fails', async () => {
    expect((await supplier('topup-fulu')).balance).toEqual({ fen: 10_000_000, readAt: hub.clock.now().toISOString() });
    for (const id of ['jd', 'taobao', 'brand-acme']) expect((await supplier(id)).balance).toBeNull();
    await setFaults('topup-yike', { errorRate: 1 });
    const started = performance.now();
    expect((await supplier('topup-yike')).balance).toBeNull();
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('counts the after-sales tickets still open on each supplier: the one a ticket was taken to, else the one that fulfilled its line', async () => {
    const counts = async () => Object.fromEntries((await json<{ items: { supplierId: string; openAfterSales: number }[] }>(await hub.call('GET', '/admin/suppliers', { token: agent }))).items.map((s) => [s.supplierId, s.openAfterSales]));
    const before = await counts();
    expect(before).toMatchObject({ jd: 0, taobao: 0 });

    const a = await deliveredTicket('jd');
    const b = await deliveredTicket('jd');
    expect(await counts()).toEqual({ ...before, jd: 2 });

    // Taken to another supplier (ticket.supplier_id wins over the line's source).
    await sql('update aftersale_ticket set supplier_id = ? where id = ?', ['taobao', b]);
    expect(await counts()).toEqual({ ...before, jd: 1, taobao: 1 });

    // In progress still counts; withdrawn does not.
    await hub.call('POST', `/admin/tickets/${a}/comment`, { token: agent, body: { text: '已联系京东核实' } });
    expect((await supplier('jd')).openAfterSales).toBe(1);
    const w = await hub.call('POST', `/v1/after-sales/${a}/withdraw`, { token: mall.apiKey, body: { reason: '已自行解决' } });
    expect(w.status).toBe(200);
    expect(await counts()).toEqual({ ...before, taobao: 1 });
  });

  it('404 for a supplier that is not configured; 400 for an id that cannot be one', async () => {
    const r = await hub.call('GET', '/admin/suppliers/brand-nobody', { token: agent });
    expect(r.status).toBe(404);
    expect((await json(r)).error).toEqual({ code: 'not_found', message: 'supplier not found' });
    expect((await hub.call('GET', `/admin/suppliers/${'x'.repeat(65)}`, { token: agent })).status).toBe(400);
  });

  it('401 without a staff token: none, an unknown one, or a mall API key', async () => {
    for (const path of ['/admin/suppliers', '/admin/suppliers/jd']) {
      const none = await hub.call('GET', path);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect((await hub.call('GET', path, { token: 'rh_staff_not-a-token' })).status).toBe(401);
      expect((await hub.call('GET', path, { token: mall.apiKey })).status).toBe(401);
    }
  });
});

/** A delivered line fulfilled by `supplierId` and a ticket opened on it through the mall API; returns the ticket id. */
async function deliveredTicket(supplierId: string): Promise<string> {
  const o = await seedOrder(hub, mall.mallId, { lines: 1, kind: 'physical' });
  const at = new Date(hub.clock.now().getTime() - DAY);
  await sql("update order_line set quantity = 2, qty_fulfilled = 2, status = 'delivered', source_supplier_id = ?, updated_at = ? where id = ?", [supplierId, at, o.lineIds[0]]);
  const r = await hub.call('POST', `/v1/orders/${o.orderId}/after-sales`, {
    token: mall.apiKey,
    body: { lineId: '1', type: 'damaged', reason: '外箱破损，商品有划痕', quantity: 1 },
    headers: { 'idempotency-key': `sup-${o.orderId}` },
  });
  expect(r.status).toBe(201);
  return (await json(r)).ticketId as string;
}
