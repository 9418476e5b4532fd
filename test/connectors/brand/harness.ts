import { Hono } from 'hono';
import { BrandConnector } from '../../../connectors/brand/index.ts';
import { type BrandSandbox, type BrandSupplierId, createBrandSandbox } from '../../../connectors/sandbox/brand/index.ts';
import { SandboxClock } from '../../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle, type SandboxContext } from '../../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../../connectors/sandbox/common/serve.ts';
import { goodsSku, stockFor } from '../../../fixtures/catalog/index.ts';

/** A webhook as the local receiver got it. */
export interface ReceivedHook {
  path: string;
  headers: Record<string, string>;
  rawBody: string;
}

/** A brand sandbox on loopback, a local webhook receiver standing in for the hub, and connectors pointed at it. */
export interface BrandRig {
  clock: SandboxClock;
  sandbox: BrandSandbox;
  connector: BrandConnector;
  connectorWithWrongKey: BrandConnector;
  /** Webhooks the receiver accepted, in arrival order. */
  hooks: ReceivedHook[];
  /** Status the receiver answers (tests set 500 to see retries). */
  receiverStatus: { value: number };
  baseUrl: string;
  stop(): Promise<void>;
}

/** Short timeouts and retry delays, and a breaker that does not trip in tests. */
export const TEST_RESILIENCE = { retries: 3, minRetryDelayMs: 5, maxRetryDelayMs: 20, breakerThreshold: 50 };

/** Starts a brand sandbox with a receiver on loopback; `lifecycle` overrides the virtual-time delays. */
export async function startBrandRig(opts: { id: BrandSupplierId; seed: number; skus: number; lifecycle?: Partial<SandboxContext['lifecycle']>; timeoutMs?: number }): Promise<BrandRig> {
  const hooks: ReceivedHook[] = [];
  const receiverStatus = { value: 200 };
  const hub = new Hono();
  hub.post('/webhooks/brand/:id', async (c) => {
    const rawBody = await c.req.text();
    if (receiverStatus.value >= 300) return c.text('not now', receiverStatus.value as 500);
    hooks.push({ path: c.req.path, headers: Object.fromEntries(c.req.raw.headers.entries()), rawBody });
    return c.json({ received: true });
  });
  const receiver = await serveOnLoopback(hub);
  const clock = new SandboxClock();
  const apiKey = `test-${opts.id}-key`;
  const webhookSecret = `test-${opts.id}-webhook-secret`;
  const sandbox = createBrandSandbox(
    { clock, seed: opts.seed, skus: opts.skus, hubUrl: receiver.url, lifecycle: { ...defaultLifecycle, ...opts.lifecycle } },
    { id: opts.id, apiKey, webhookSecret, callbackRetryDelayMs: 5 },
  );
  const server = await serveOnLoopback(sandbox.app);
  const make = (key: string) =>
    new BrandConnector({ id: opts.id, baseUrl: server.url, credentials: { apiKey: key, webhookSecret }, timeoutMs: opts.timeoutMs ?? 800, resilience: TEST_RESILIENCE });
  return {
    clock,
    sandbox,
    connector: make(apiKey),
    connectorWithWrongKey: make(`${apiKey}-wrong`),
    hooks,
    receiverStatus,
    baseUrl: server.url,
    stop: async () => {
      await server.close();
      await receiver.close();
    },
  };
}

/** The first on-shelf SKU of a kind with at least `minStock` units in a province at revision 0. */
export function findSku(id: BrandSupplierId, opts: { seed: number; skus: number; kind: 'physical' | 'service'; province?: string; minStock?: number }): string {
  for (let index = 0; index < opts.skus; index++) {
    const sku = goodsSku(id, index, { seed: opts.seed, size: opts.skus });
    if (sku.kind !== opts.kind || !sku.onShelf) continue;
    if (stockFor({ supplier: id, index }, opts.province ?? '110000', { seed: opts.seed }) >= (opts.minStock ?? 50)) return sku.supplierSkuId;
  }
  throw new Error(`no ${opts.kind} SKU in stock among ${opts.skus}`);
}

/** A Beijing recipient, as a mall sends it. */
export const BEIJING = { name: '张三', phone: '13800138000', province: '北京市', city: '北京市', district: '朝阳区', address: '建国路 1 号' };
