import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { BrandConnector, type BrandConnectorOptions } from '../../../connectors/brand/index.ts';
import { wireSample } from '../../../fixtures/wire/brand/samples.ts';

/** Where the msw-served brand lives in unit tests. */
export const BASE_URL = 'http://brand.test';
/** The key the recordings were made with. */
export const RECORDED_KEY = 'rec-acme-key';
export const RECORDED_WEBHOOK_SECRET = 'rec-acme-webhook-secret';

/** One request the fake brand received. */
export interface ReceivedCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: any;
}

type Reply = (call: ReceivedCall) => Response | undefined | Promise<Response | undefined>;

/** Serves a recorded answer: its status, headers and body. */
export function sample(name: string): Response {
  const { response } = wireSample(name);
  if (response.bodyBase64 !== undefined) return new HttpResponse(Buffer.from(response.bodyBase64, 'base64'), { status: response.status, headers: response.headers });
  return HttpResponse.json(response.body, { status: response.status, headers: response.headers });
}

/** The recorded answers by route, as a brand holding the recorded state would give them. */
function recordedReply(call: ReceivedCall): Response {
  const route = `${call.method} ${call.path}`;
  if (call.headers.get('authorization') !== `Bearer ${RECORDED_KEY}`) return sample('error-401');
  if (route === 'GET /v1/products') return sample(call.query.get('cursor') ? 'products-next-page' : 'products-page');
  if (route === 'GET /v1/inventory') return sample('inventory');
  if (route === 'GET /v1/feeds/products.jsonl.gz') return sample('feed');
  if (route === 'POST /v1/orders') return sample('order-created');
  if (route === 'GET /v1/orders') return sample(call.query.get('clientReference') === 'H1-L1-1' ? 'orders-by-reference' : 'orders-by-reference-none');
  if (route === 'POST /v1/returns') return sample('return-created');
  if (call.method === 'GET' && call.path.startsWith('/v1/returns/')) return sample('return-received');
  if (call.method === 'POST' && call.path.endsWith('/cancel')) return sample('order-cancelled');
  if (call.method === 'GET' && call.path.startsWith('/v1/orders/')) return sample('order-delivered');
  return sample('error-404');
}

/**
 * msw at the network edge only: every request is recorded and answered by the current `reply`,
 * falling back to the recordings.
 */
export function useRecordedBrand(): { calls: ReceivedCall[]; reply: (fn: Reply) => void } {
  const calls: ReceivedCall[] = [];
  let current: Reply = () => undefined;
  const server = setupServer(
    http.all(`${BASE_URL}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const text = request.method === 'POST' ? await request.text() : '';
      const call = { method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body: text ? JSON.parse(text) : undefined };
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
export function recordedConnector(overrides: Partial<BrandConnectorOptions> = {}): BrandConnector {
  return new BrandConnector({
    id: 'brand-acme',
    baseUrl: BASE_URL,
    credentials: { apiKey: RECORDED_KEY, webhookSecret: RECORDED_WEBHOOK_SECRET },
    timeoutMs: 1_000,
    resilience: { minRetryDelayMs: 1, maxRetryDelayMs: 5, retries: 2, breakerThreshold: 50 },
    ...overrides,
  });
}
