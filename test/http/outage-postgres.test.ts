import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { toAppError } from '../../src/http/errors.ts';
import { DEPENDENCY_RETRY_AFTER_MS, DependencyUnavailableError } from '../../src/http/dependency-failure.ts';
import { deadPort } from '../fuzz/net-faults.ts';
import { type Operation, operationsOf } from '../fuzz/openapi-operations.ts';
import { type RequestContext, type SeededIds, validRequest } from '../fuzz/valid-requests.ts';
import { webhookSigner } from '../fuzz/webhook-bodies.ts';
import { send, closeWire, type WireResponse } from '../fuzz/wire.ts';
import { adminSql, dbUrl } from '../support/databases.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

/** Ids of rows that would exist: with PostgreSQL down, a request must fail on reaching it, not on "not found". */
const FAKE_IDS: SeededIds = { mallId: 'mall_x', orderId: 'ord_x', mallOrderId: 'M-1', lineId: '1', skuId: 'sku_x', eventId: 'evt_x', tokenId: 'tok_x', runId: 'run_x', deliveryId: 'wd_x', ticketId: 'ast_x' };

/** Operations that never touch PostgreSQL: they answer as usual during an outage. */
const WITHOUT_POSTGRES = new Set(['getHealthz', 'getMetrics', 'getDocs', 'getOpenApiDocument']);

/** Sends a valid request to every operation of the hub's OpenAPI document and returns the answers. */
async function everyOperation(hub: TestHub, ctx: Omit<RequestContext, 'webhooks'>): Promise<Map<Operation, WireResponse>> {
  const server = await serveOnLoopback(hub.app as never);
  try {
    const doc = await (await send(server.url, { method: 'GET', target: '/openapi.json', headers: {} })).body;
    const out = new Map<Operation, WireResponse>();
    const full = { ...ctx, webhooks: webhookSigner(hub.config, () => hub.clock.now()) };
    const paths = JSON.parse(doc).paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    for (const op of operationsOf(JSON.parse(doc))) {
      const res = await send(server.url, validRequest(op, full));
      // What a route answers during an outage is in the document the malls build against.
      if (res.status === 503) expect(Object.keys(paths[op.path]?.[op.method.toLowerCase()]?.responses ?? {}), op.id).toContain('503');
      out.set(op, res);
    }
    return out;
  } finally {
    await server.close();
  }
}

/** Every answer is a 503 `unavailable` with Retry-After, but for operations that do not need PostgreSQL. */
function expectUnavailable(answers: Map<Operation, WireResponse>, except: Set<string> = new Set()) {
  expect(answers.size).toBeGreaterThan(30);
  for (const [op, res] of answers) {
    const what = `${op.method} ${op.path}: ${res.status} ${res.body.slice(0, 200)}`;
    if (WITHOUT_POSTGRES.has(op.id) || except.has(op.id)) {
      expect(res.status, what).toBeLessThan(500);
      continue;
    }
    expect(res.status, what).toBe(503);
    expect(JSON.parse(res.body).error.code, what).toBe('unavailable');
    expect(res.headers['retry-after'], what).toBe(String(DEPENDENCY_RETRY_AFTER_MS / 1000));
  }
}

/**
 * Warn lines about the outage name PostgreSQL (or, for a bare socket error from the pool, the
 * address it failed on) and a reason, and nothing of the connection string.
 */
function expectWarned(hub: TestHub, reason: RegExp, secret: string) {
  const warned = hub.logs.lines.filter((l) => l.includes('dependency unavailable')).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(warned.length).toBeGreaterThan(0);
  for (const w of warned) {
    expect(w).toMatchObject({ level: 40, reason: expect.stringMatching(reason) });
    expect(w.dependency === 'postgres' || (w.dependency === 'network' && String(w.target).startsWith('127.0.0.1:')), JSON.stringify(w)).toBe(true);
  }
  expect(hub.logs.text).not.toContain(secret);
  expect(hub.logs.text).not.toContain('unhandled error');
}

afterAll(() => closeWire());

describe('PostgreSQL down: every route answers 503 unavailable with Retry-After', () => {
  it('when nothing listens on its port (connection refused)', async () => {
    const hub = await startTestHub({ env: { DATABASE_URL: `postgresql://hub:s3cret-pw@127.0.0.1:${await deadPort()}/hub` } });
    try {
      expectUnavailable(await everyOperation(hub, { apiKey: 'rh_live_unknown', adminToken: ADMIN_TOKEN, ids: FAKE_IDS }));
      expectWarned(hub, /ECONNREFUSED/, 's3cret-pw');
    } finally {
      await hub.close();
    }
  });

  it('when it refuses the connection: too many connections (53300)', async () => {
    const role = `hub_limited_${Date.now().toString(36)}`;
    await adminSql(`create role ${role} login password 'r0le-pw' connection limit 0`);
    const u = new URL(dbUrl('test'));
    u.username = role;
    u.password = 'r0le-pw';
    const hub = await startTestHub({ env: { DATABASE_URL: u.toString() } });
    try {
      expectUnavailable(await everyOperation(hub, { apiKey: 'rh_live_unknown', adminToken: ADMIN_TOKEN, ids: FAKE_IDS }));
      expectWarned(hub, /sqlstate 53300/, 'r0le-pw');
    } finally {
      await hub.close();
      await adminSql(`drop role if exists ${role}`);
    }
  });

  it('when its database is dropped under a running hub (3D000), in the handlers too', async () => {
    // Mall keys stay verified from the cache, so mall routes get past auth into their handlers.
    const hub = await startTestHub({ env: { HUB_AUTH_CACHE_MS: '600000' } });
    try {
      const mall = await hub.createMall('Soon without a database');
      expect((await hub.call('GET', '/v1/mall', { token: mall.apiKey })).status).toBe(200);
      await adminSql(`drop database ${new URL(hub.config.databaseUrl).pathname.slice(1)} with (force)`);
      // The category tree is the built-in taxonomy: it needs no database.
      expectUnavailable(await everyOperation(hub, { apiKey: mall.apiKey, adminToken: ADMIN_TOKEN, ids: { ...FAKE_IDS, mallId: mall.mallId } }), new Set(['listCatalogCategories']));
      expectWarned(hub, /sqlstate (3D000|57P01)|connection terminated/, mall.apiKey);
    } finally {
      await hub.close();
    }
  });
});

describe('PostgreSQL connection errors from the real driver', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('keeps a query that is wrong (a bug) at 500 internal_error', async () => {
    const err = await hub.deps.orm.em.fork().getConnection().execute('select * from no_such_table').then(() => null, (e: unknown) => e);
    expect(toAppError(err).code).toBe('internal_error');
  });

  it('answers 503 when the hub\'s own pool cannot hand out a connection within HUB_DB_CONNECT_TIMEOUT_MS', async () => {
    const small = await startTestHub({ env: { HUB_DB_POOL_MAX: '1', HUB_DB_CONNECT_TIMEOUT_MS: '200' } });
    try {
      const mall = await small.createMall('Pool spent');
      // Every connection of the pool held by a transaction that does not end yet.
      let release!: () => void;
      const holding = small.deps.orm.em.fork().transactional(async (tx) => {
        await tx.getConnection().execute('select 1', [], 'all', tx.getTransactionContext());
        await new Promise<void>((r) => (release = r));
      });
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      const res = await small.call('GET', '/v1/orders?mallOrderId=M-1', { token: mall.apiKey });
      release();
      await holding;
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(DEPENDENCY_RETRY_AFTER_MS / 1000));
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await small.close();
    }
  });

  it('answers 503 while its database is closed to connections (ALLOW_CONNECTIONS false), then serves again', async () => {
    const cut = await startTestHub({ env: { HUB_AUTH_CACHE_MS: '600000' } });
    const name = new URL(cut.config.databaseUrl).pathname.slice(1);
    try {
      const mall = await cut.createMall('Cut off');
      await adminSql(`alter database ${name} with allow_connections false`, `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`);
      const res = await cut.call('GET', '/v1/orders?mallOrderId=M-1', { token: mall.apiKey });
      expect(res.status).toBe(503);
      expect((await json(res)).error.code).toBe('unavailable');
      await adminSql(`alter database ${name} with allow_connections true`);
      expect((await cut.call('GET', '/v1/orders?mallOrderId=M-1', { token: mall.apiKey })).status).toBe(200);
    } finally {
      await adminSql(`alter database ${name} with allow_connections true`);
      await cut.close();
    }
  });

  it('maps a query whose backend is terminated (57P01) to 503 unavailable', async () => {
    const em = hub.deps.orm.em.fork();
    // Settled at once, so the rejection is ours to inspect (not an unhandled one meanwhile).
    const settled = em.getConnection().execute("select pg_sleep(30), 'fuzz-terminate-me'").then(() => null, (e: unknown) => e);
    const admin = new pg.Client({ connectionString: hub.config.databaseUrl });
    await admin.connect();
    try {
      // Wait until the query runs, then end its backend as an operator (or a failover) would.
      for (let i = 0; i < 50; i++) {
        const { rowCount } = await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where query like '%fuzz-terminate-me%' and pid <> pg_backend_pid()");
        if (rowCount) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await admin.end();
    }
    const err = await settled;
    expect(err).toBeInstanceOf(Error);
    const mapped = toAppError(err);
    expect(mapped).toBeInstanceOf(DependencyUnavailableError);
    expect((mapped as DependencyUnavailableError).failure).toMatchObject({ dependency: 'postgres', reason: expect.stringMatching(/sqlstate 57P01|connection terminated/) });
    expect(mapped.code).toBe('unavailable');
    expect(mapped.retryAfterMs).toBe(DEPENDENCY_RETRY_AFTER_MS);
  });
});
