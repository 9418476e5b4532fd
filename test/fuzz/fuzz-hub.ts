import type { SupplierConnector } from '../../connectors/connector.ts';
import { SandboxClock } from '../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../../connectors/sandbox/host.ts';
import { createSandboxes } from '../../connectors/sandbox/index.ts';
import { runFullSync } from '../../src/catalog/full-sync.ts';
import { loadConfig } from '../../src/config.ts';
import { startApi } from '../../src/roles/api.ts';
import { repriceMall } from '../../src/catalog/mall-pricing.ts';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';
import { deadPort } from './net-faults.ts';
import { RECIPIENT, type RequestContext } from './valid-requests.ts';
import { webhookSigner } from './webhook-bodies.ts';

/** Body limit of the fuzzed hub: small, so "over the limit" costs little to send. */
export const FUZZ_BODY_LIMIT = 32 * 1024;

export interface FuzzHub {
  hub: TestHub;
  /** The API as `hub api` serves it (startApi), e.g. http://127.0.0.1:PORT. */
  base: string;
  ctx: RequestContext;
  /** Price of the seeded SKU, for order bodies that pass the price check. */
  order: { points: number; cashFen: number };
  close(): Promise<void>;
}

/**
 * A hub with realistic rows for handlers to find (a synced catalog, a mall, an order with its
 * lines, events and runs, a staff token), served over HTTP by startApi, with a rate limit high
 * enough that 429s do not hide what handlers answer.
 */
export async function startFuzzHub(): Promise<FuzzHub> {
  const clock = new SandboxClock();
  const sandbox = await serveOnLoopback(createSandboxHost(createSandboxes({ clock, seed: 7, skus: 40, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, loadConfig({}).suppliers), clock));
  const port = await deadPort();
  const hub = await startTestHub({
    supplierNow: () => clock.now(),
    env: {
      HUB_SANDBOX_URL: sandbox.url,
      HUB_HOST: '127.0.0.1',
      HUB_PORT: String(port),
      HUB_RATE_LIMIT_PER_SEC: '100000',
      HUB_RATE_LIMIT_BURST: '200000',
      HUB_BODY_LIMIT_BYTES: String(FUZZ_BODY_LIMIT),
      HUB_READY_TIMEOUT_MS: '5000',
      HUB_SUPPLIER_TIMEOUT_MS: '2000',
    },
  });
  for (const id of ['jd', 'brand-acme', 'topup-fulu']) await runFullSync({ em: hub.deps.orm.em.fork(), clock: hub.clock }, hub.deps.connectors.get(id) as SupplierConnector, { pageSize: 100 });
  const mall = await hub.createMall('Fuzzed mall');
  await repriceMall(hub.deps.orm.em.fork(), mall.mallId);
  const items = (await json(await hub.call('GET', '/v1/catalog/items?limit=200&inStock=true&kind=physical', { token: mall.apiKey }))).items as { skuId: string; points: number; cashFen: number }[];
  const item = items[0];
  if (!item) throw new Error('the sandbox catalog has no physical item in stock');
  const placed = await hub.call('POST', '/v1/orders', {
    token: mall.apiKey,
    headers: { 'idempotency-key': 'fuzz-seed-order' },
    body: { mallOrderId: 'FUZZ-1', member: { id: 'member-1' }, recipient: RECIPIENT, lines: [{ lineId: '1', skuId: item.skuId, quantity: 1, pointsPaid: item.points, cashPaidFen: item.cashFen }] },
  });
  if (placed.status !== 201) throw new Error(`seed order: ${placed.status} ${await placed.text()}`);
  const order = await json(placed);
  const token = await json(await hub.call('POST', '/admin/tokens', { token: ADMIN_TOKEN, body: { role: 'agent', name: 'fuzz agent' } }));
  const events = (await json(await hub.call('GET', '/v1/events', { token: mall.apiKey }))).items as { eventId: string }[];
  const sql = <T extends object[]>(q: string) => hub.deps.orm.em.fork().getConnection().execute<T>(q);
  const [run] = await sql<{ id: string }[]>('select id from workflow_run order by id limit 1');
  // Nothing may still be writing when the fuzzer takes its first snapshot.
  await hub.deps.committedJobs.flush();
  const stop = await startApi(hub.deps);
  return {
    hub,
    base: `http://127.0.0.1:${port}`,
    order: { points: item.points, cashFen: item.cashFen },
    ctx: {
      apiKey: mall.apiKey,
      adminToken: ADMIN_TOKEN,
      ids: {
        mallId: mall.mallId,
        orderId: order.orderId,
        mallOrderId: 'FUZZ-1',
        lineId: '1',
        skuId: item.skuId,
        eventId: events[0]?.eventId ?? 'evt_none',
        tokenId: token.tokenId,
        runId: run?.id ?? 'run_none',
        deliveryId: 'wd_none',
        ticketId: 'ast_none',
      },
      webhooks: webhookSigner(hub.config, () => clock.now()),
    },
    async close() {
      await stop();
      await hub.close();
      await sandbox.close();
    },
  };
}
