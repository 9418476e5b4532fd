import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { verifyTopupSign } from '../../../connectors/topup/sign.ts';
import { TopupConnector, type TopupConnectorOptions } from '../../../connectors/topup/index.ts';
import { RECORDED_CREDENTIALS, RECORDED_PROVIDER, wireSample } from '../../../fixtures/wire/topup/samples.ts';

/** Where the msw-served platform lives in unit tests. */
export const BASE_URL = 'http://topup.test';

/** One call the fake platform received: its signed parameters and parsed biz_content. */
export interface ReceivedCall {
  params: Record<string, string>;
  biz: Record<string, unknown>;
  signedOk: boolean;
}

type Reply = (call: ReceivedCall) => Response | undefined | Promise<Response | undefined>;

/** Serves the recorded envelope of a sample. */
export const sample = (name: string): Response => HttpResponse.json(wireSample(name).response);

/** The recorded answers by method, as a platform that has the recorded state would give them. */
function recordedReply({ params, biz }: ReceivedCall): Response {
  switch (params.method) {
    case 'product.list.get':
      return biz.product_ids ? sample('product-list-by-ids') : sample(`product-list-page-${String(biz.page_no ?? 1)}`);
    case 'balance.get':
      return sample('balance');
    default:
      return HttpResponse.json({ code: '1000', message: `no recorded answer for ${params.method}`, data: null });
  }
}

/**
 * msw at the network edge only: every request is recorded (with whether its signature verifies
 * with the recorded secret) and answered by the current `reply`, falling back to the recordings.
 */
export function useRecordedPlatform(): { calls: ReceivedCall[]; reply: (fn: Reply) => void } {
  const calls: ReceivedCall[] = [];
  let current: Reply = () => undefined;
  const server = setupServer(
    http.post(`${BASE_URL}/api`, async ({ request }) => {
      const params = (await request.json()) as Record<string, string>;
      const call = { params, biz: JSON.parse(params.biz_content ?? '{}') as Record<string, unknown>, signedOk: verifyTopupSign(params, RECORDED_CREDENTIALS.appSecret) };
      calls.push(call);
      return (await current(call)) ?? recordedReply(call);
    }),
  );
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => {
    calls.length = 0;
    current = () => undefined;
  });
  afterAll(() => server.close());
  return { calls, reply: (fn) => (current = fn) };
}

/** A connector for the recorded account with fast retries; override anything per test. */
export function recordedConnector(overrides: Partial<TopupConnectorOptions> = {}): TopupConnector {
  return new TopupConnector({
    id: RECORDED_PROVIDER,
    baseUrl: BASE_URL,
    credentials: { ...RECORDED_CREDENTIALS },
    timeoutMs: 1_000,
    resilience: { minRetryDelayMs: 1, maxRetryDelayMs: 5, retries: 2, breakerThreshold: 50 },
    ...overrides,
  });
}
