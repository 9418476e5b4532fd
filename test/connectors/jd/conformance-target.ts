import { type GoodsSku, goodsSku, stockFor } from '../../../fixtures/catalog/index.ts';
import type { SupplierOrderRequest } from '../../../connectors/connector.ts';
import { type JdCredentials, JdConnector } from '../../../connectors/jd/index.ts';
import { SandboxClock } from '../../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle, type SandboxContext } from '../../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../../connectors/sandbox/common/serve.ts';
import { createJdSandbox } from '../../../connectors/sandbox/jd/index.ts';
import type { ConformanceRun, ConformanceTarget } from '../conformance/target.ts';

/** Sandbox credentials used by every JD test. */
export const JD_CREDENTIALS: JdCredentials = { clientId: 'jd-client', clientSecret: 'jd-client-secret', appKey: 'jd-app', appSecret: 'jd-secret' };
const TEST_RESILIENCE = { retries: 3, minRetryDelayMs: 5, maxRetryDelayMs: 20, breakerThreshold: 50 };

/** The first SKUs of the generated JD catalog that pass `test` (with their Beijing stock at revision 0). */
export function jdSkusWhere(seed: number, size: number, count: number, test: (sku: GoodsSku, beijingStock: number) => boolean): string[] {
  const out: string[] = [];
  for (let index = 0; index < size && out.length < count; index++) {
    const sku = goodsSku('jd', index, { seed, size });
    if (test(sku, stockFor({ supplier: 'jd', index }, '110000', { seed }))) out.push(sku.supplierSkuId);
  }
  if (out.length < count) throw new Error('not enough matching JD SKUs');
  return out;
}

/** The first on-shelf light SKUs with plenty of stock in Beijing, so repeated test orders never run out. */
export function wellStockedSkus(seed: number, size: number, count = 1): string[] {
  return jdSkusWhere(seed, size, count, (s, stock) => s.onShelf && s.kind === 'physical' && s.weightGrams < 20_000 && stock >= 100);
}

/** An order delivered to 北京 / 北京市 / 朝阳区. */
export function beijingOrder(reference: string, skuIds: string[], quantity = 1): SupplierOrderRequest {
  return {
    reference,
    lines: skuIds.map((supplierSkuId) => ({ supplierSkuId, quantity })),
    recipient: { name: '张三', phone: '13800138000', province: '北京', city: '北京市', district: '朝阳区', address: '建国路88号' },
  };
}

/** Starts a JD sandbox on loopback and a connector pointed at it (signing with the wall clock, as the hub does). */
export async function startJd(opts: { seed: number; skus: number; lifecycle?: SandboxContext['lifecycle'] }) {
  const clock = new SandboxClock();
  const ctx: SandboxContext = { clock, seed: opts.seed, skus: opts.skus, hubUrl: 'http://127.0.0.1:9', lifecycle: opts.lifecycle ?? defaultLifecycle };
  const sandbox = createJdSandbox(ctx, { id: 'jd', ...JD_CREDENTIALS });
  const server = await serveOnLoopback(sandbox.app);
  const connectorWith = (creds: Partial<JdCredentials> = {}, resilience: object = {}, opts: { timeoutMs?: number; now?: () => Date } = {}) =>
    new JdConnector({ baseUrl: server.url, credentials: { ...JD_CREDENTIALS, ...creds }, timeoutMs: opts.timeoutMs ?? 1_000, resilience: { ...TEST_RESILIENCE, ...resilience }, now: opts.now });
  const [orderedSku = ''] = wellStockedSkus(opts.seed, opts.skus);
  const run: ConformanceRun = {
    connector: connectorWith(),
    connectorWithWrongSecret: connectorWith({ appSecret: 'not-the-secret' }),
    sandbox,
    expectedCatalogSize: opts.skus,
    orderRequest: (reference) => beijingOrder(reference, [orderedSku]),
    orderedSku,
    signedWebhook: () => null,
    stop: () => server.close(),
  };
  return { ...run, clock, jdSandbox: sandbox, baseUrl: server.url, connectorWith };
}

/** The JD target of the cross-supplier conformance suite. */
export const conformanceTarget: ConformanceTarget = { name: 'jd', start: (opts) => startJd(opts) };
