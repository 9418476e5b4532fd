import { goodsSku, stockFor } from '../../../fixtures/catalog/index.ts';
import { SandboxClock } from '../../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle, type SandboxContext } from '../../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../../connectors/sandbox/common/serve.ts';
import { createTaobaoSandbox, type TaobaoSandbox } from '../../../connectors/sandbox/taobao/index.ts';
import { signedPushBody } from '../../../connectors/sandbox/taobao/pushes.ts';
import { TaobaoConnector, type TaobaoCredentials } from '../../../connectors/taobao/index.ts';
import { formatUtc8Timestamp } from '../../../connectors/shared/timestamp.ts';
import type { SupplierOrderRequest } from '../../../connectors/connector.ts';
import type { ConformanceRun, ConformanceTarget } from '../conformance/target.ts';
import { startPushReceiver } from './push-receiver.ts';

/** Sandbox credentials used by every Taobao test. */
export const TAOBAO_CREDENTIALS: TaobaoCredentials = { appKey: 'tb-app', appSecret: 'tb-secret', session: 'sess-1', refreshToken: 'refresh-1' };

/** Fast retry settings for tests: short delays, a breaker that does not trip. */
export const TEST_RESILIENCE = { retries: 3, minRetryDelayMs: 10, maxRetryDelayMs: 40, breakerThreshold: 50 };

/** The first on-shelf SKU with plenty of stock in Beijing, so repeated test orders never run it out. */
export function wellStockedSku(seed: number, size: number): string {
  for (let index = 0; index < size; index++) {
    const sku = goodsSku('taobao', index, { seed, size });
    if (sku.onShelf && stockFor({ supplier: 'taobao', index }, '110000', { seed }) >= 100) return sku.supplierSkuId;
  }
  throw new Error('no well-stocked Taobao SKU in this catalog');
}

/** An order for one unit of a SKU, delivered in Beijing. */
export function beijingOrder(reference: string, supplierSkuId: string, quantity = 1): SupplierOrderRequest {
  return {
    reference,
    lines: [{ supplierSkuId, quantity }],
    recipient: { name: '张三', phone: '13800138000', province: '北京', city: '北京市', district: '朝阳区', address: '建国路88号' },
  };
}

/** Starts a Taobao sandbox on loopback (pushes go to a stand-in hub) with a connector pointed at it. */
export async function startTaobao(opts: { seed: number; skus: number; lifecycle?: SandboxContext['lifecycle'] }): Promise<
  ConformanceRun & { sandbox: TaobaoSandbox; clock: SandboxClock; baseUrl: string; receiver: Awaited<ReturnType<typeof startPushReceiver>>; connectorWith: (creds: Partial<TaobaoCredentials>, extra?: object) => TaobaoConnector }
> {
  const clock = new SandboxClock();
  const receiver = await startPushReceiver();
  const ctx: SandboxContext = { clock, seed: opts.seed, skus: opts.skus, hubUrl: receiver.url, lifecycle: opts.lifecycle ?? defaultLifecycle };
  const sandbox = createTaobaoSandbox(ctx, { id: 'taobao', ...TAOBAO_CREDENTIALS, pushRetryDelayMs: 5 });
  const server = await serveOnLoopback(sandbox.app);
  const connectorWith = (creds: Partial<TaobaoCredentials>, extra: object = {}) =>
    new TaobaoConnector({ baseUrl: server.url, credentials: { ...TAOBAO_CREDENTIALS, ...creds }, timeoutMs: 1_000, resilience: TEST_RESILIENCE, ...extra });
  const orderedSku = wellStockedSku(opts.seed, opts.skus);
  return {
    connector: connectorWith({}),
    connectorWithWrongSecret: connectorWith({ appSecret: 'not-the-secret' }),
    sandbox,
    clock,
    baseUrl: server.url,
    receiver,
    connectorWith,
    expectedCatalogSize: opts.skus,
    orderRequest: (reference) => beijingOrder(reference, orderedSku),
    orderedSku,
    signedWebhook: () => {
      const content = { fenxiao_id: 17953992000001, dist_order_no: 'CONF-1', status: 'WAIT_BUYER_CONFIRM_GOODS', logistics_company_name: '中通快递', logistics_id: '795399200001', modified: formatUtc8Timestamp(clock.now()), items: [], trace: [] };
      return { headers: { 'content-type': 'application/json' }, rawBody: signedPushBody('fenxiao_OrderShipped', content, 'conf-msg-1', new Date(), { appSecret: TAOBAO_CREDENTIALS.appSecret, userId: 2_200_000_001, nick: '积分商城分销' }) };
    },
    stop: async () => {
      await server.close();
      await receiver.close();
    },
  };
}

/** The Taobao target of the cross-supplier conformance suite. */
export const conformanceTarget: ConformanceTarget = {
  name: 'taobao',
  start: (opts) => startTaobao(opts),
};
