import { readFileSync } from 'node:fs';
import { HttpResponse, http, type JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { JdConnector } from '../../../connectors/jd/index.ts';

/** The base URL the msw server answers on, and the credentials the samples were recorded with. */
export const BASE = 'http://jd.test';
export const CREDS = { clientId: 'jd-client', clientSecret: 'jd-client-secret', appKey: 'jd-app', appSecret: 'jd-secret' };
export const BEIJING = { province: '北京', city: '北京市', district: '朝阳区' };

interface Sample { method: string; params: unknown; status: number; response: JsonBodyType }

/** One recorded sample from fixtures/wire/jd (`{method, params, status, response}`). */
export function sample(name: string): Sample {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/wire/jd/${name}.json`, import.meta.url), 'utf8')) as Sample;
}

/** The `result.result` of a recorded success. */
export function resultOf<T>(name: string): T {
  const s = sample(name);
  return (s.response as Record<string, { result: { result: T } }>)[`${s.method.replaceAll('.', '_')}_response`]?.result.result as T;
}

// The area tree comes from the catalog recording unless a test sets other answers.
const AREA_SAMPLES = ['catalog_biz_address_allProvinces_query', 'catalog_biz_address_citysByProvinceId_query', 'catalog_biz_address_countysByCityId_query', 'town_biz_address_townsByCountyId_query', 'offers-remote_biz_address_citysByProvinceId_query', 'offers-remote_biz_address_countysByCityId_query'];

/**
 * An msw server at the JD network edge. `answer(method, …samples)` queues recorded answers (the last
 * one repeats); `seen` lists every /routerjson call; `tokens` counts token requests.
 */
export function jdWire() {
  const answers = new Map<string, Sample[]>();
  const seen: { method: string; params: Record<string, string> }[] = [];
  let tokens = 0;
  let tokenAnswer: Sample | null = null;
  const reply = (s: Sample) => (typeof s.response === 'string' ? new HttpResponse(s.response, { status: s.status }) : HttpResponse.json(s.response, { status: s.status ?? 200 }));
  const server = setupServer(
    http.post(`${BASE}/oauth2/accessToken`, () => {
      tokens++;
      return tokenAnswer ? reply(tokenAnswer) : HttpResponse.json({ access_token: `tok-${tokens}`, expires_in: 86_400 });
    }),
    http.post(`${BASE}/routerjson`, async ({ request }) => {
      const params = Object.fromEntries(new URLSearchParams(await request.text()));
      const method = params.method ?? '';
      seen.push({ method, params });
      const queue = answers.get(method);
      if (queue?.length) return reply((queue.length > 1 ? queue.shift() : queue[0]) as Sample);
      const area = AREA_SAMPLES.map(sample).find((s) => s.method === method && (method.endsWith('allProvinces.query') || JSON.stringify(s.params) === JSON.stringify(JSON.parse(params['360buy_param_json'] ?? '{}'))));
      if (area) return reply(area);
      return HttpResponse.json({ error_response: { code: '1010', zh_desc: '方法不存在', en_desc: `no sample for ${method}` } });
    }),
  );
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => {
    answers.clear();
    seen.length = 0;
    tokenAnswer = null;
    server.resetHandlers();
  });
  afterAll(() => server.close());
  return {
    seen,
    server,
    get tokens() {
      return tokens;
    },
    /** Answers token requests with a recorded sample (e.g. the refusal of a wrong client secret). */
    answerToken(name: string) {
      tokenAnswer = sample(name);
    },
    /**
     * Queues answers for a method: recorded samples by name, or literal `{status, response}` bodies
     * for shapes no sandbox records (a gateway page, a broken body).
     */
    answer(method: string, ...items: (string | { status: number; response: string })[]) {
      answers.set(method, items.map((it) => (typeof it === 'string' ? sample(it) : { method, params: {}, ...it })));
    },
    calls: (method: string) => seen.filter((s) => s.method === method),
  };
}

/** A connector pointed at the msw edge with tiny retry delays. */
export function connector(resilience: object = {}) {
  return new JdConnector({ baseUrl: BASE, credentials: CREDS, timeoutMs: 300, resilience: { retries: 2, minRetryDelayMs: 1, maxRetryDelayMs: 2, ...resilience } });
}

/** The rejection of a promise that must fail. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}
