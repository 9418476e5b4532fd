import { SandboxClock } from '../../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../../connectors/sandbox/common/serve.ts';
import { createTopupSandbox } from '../../../connectors/sandbox/topup/index.ts';
import { callbackBody } from '../../../connectors/sandbox/topup/lifecycle.ts';
import { TopupConnector } from '../../../connectors/topup/index.ts';
import { topupProducts, type TopupProviderId } from '../../../fixtures/catalog/index.ts';
import type { ConformanceRun, ConformanceTarget } from '../conformance/target.ts';

/** Short timeouts and retry delays so the suite runs in seconds. */
export const testResilience = { minRetryDelayMs: 5, maxRetryDelayMs: 20, breakerThreshold: 50 };

/** The product the suite orders: the provider's 50 yuan China Mobile top-up (a best seller every provider keeps on). */
export function cmcc50(provider: TopupProviderId, seed: number): string {
  const p = topupProducts(provider, { seed }).find((x) => x.type === 'phone_topup' && x.platform === 'CMCC' && x.face_value_fen === 5000);
  if (!p) throw new Error(`${provider} lists no CMCC 50 yuan top-up`);
  return p.product_id;
}

function target(provider: TopupProviderId): ConformanceTarget {
  return {
    name: provider,
    async start({ seed, skus }): Promise<ConformanceRun> {
      const ctx = { clock: new SandboxClock(), seed, skus, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle };
      const credentials = { appKey: `${provider}-app`, appSecret: `${provider}-secret` };
      const sandbox = createTopupSandbox(ctx, { id: provider, ...credentials, callbackRetryDelayMs: 1 });
      const server = await serveOnLoopback(sandbox.app);
      const make = (appSecret: string) =>
        new TopupConnector({ id: provider, baseUrl: server.url, credentials: { ...credentials, appSecret }, timeoutMs: 500, resilience: testResilience });
      const orderedSku = cmcc50(provider, seed);
      return {
        connector: make(credentials.appSecret),
        connectorWithWrongSecret: make('not-the-secret'),
        sandbox,
        expectedCatalogSize: topupProducts(provider, { seed }).length,
        orderRequest: (reference) => ({ reference, lines: [{ supplierSkuId: orderedSku, quantity: 1 }], rechargeAccount: '13800138000' }),
        orderedSku,
        signedWebhook() {
          const order = { orderId: 'CONF-1', customerOrderNo: 'CONF-REF-1', status: 'success' as const, description: '充值成功', finishedAt: ctx.clock.now() };
          const body = callbackBody(order, credentials.appSecret, new Date());
          return { headers: { 'content-type': 'application/json' }, rawBody: JSON.stringify(body) };
        },
        stop: () => server.close(),
      };
    },
  };
}

/** Conformance target for `topup-fulu` (readable product ids such as CMCC-50). */
export const conformanceTarget: ConformanceTarget = target('topup-fulu');

/** Conformance target for `topup-yike` (numeric product ids): same connector code, another account. */
export const conformanceTargetYike: ConformanceTarget = target('topup-yike');
