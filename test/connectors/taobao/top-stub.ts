import { readFileSync } from 'node:fs';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { verifyTaobaoSign } from '../../../connectors/taobao/sign.ts';

/** One recorded exchange of fixtures/wire/taobao. */
export interface WireExchange {
  request: { path: string; form: Record<string, string> };
  response: { status: number; body: unknown };
}

/** The exchanges of a recorded sample (fixtures/wire/taobao/<name>.json). */
export function wireSample(name: string): WireExchange[] {
  return (JSON.parse(readFileSync(new URL(`../../../fixtures/wire/taobao/${name}.json`, import.meta.url), 'utf8')) as { exchanges: WireExchange[] }).exchanges;
}

/** The raw body of a recorded push sample. */
export function pushSample(name: string): string {
  return (JSON.parse(readFileSync(new URL(`../../../fixtures/wire/taobao/${name}.json`, import.meta.url), 'utf8')) as { rawBody: string }).rawBody;
}

/** How the stub answers one call: a recorded response, a bare HTTP status, or no answer at all. */
export type Reply = { status: number; body: unknown } | { status: number; text: string } | 'hang';

export const STUB_BASE = 'http://top.stub.test';

/**
 * msw at the network edge: answers POST /router/rest and /oauth/token from per-method queues of
 * replies, and keeps every form the connector sent (with whether its sign verified).
 */
export function topStub(secret: string) {
  const calls: { path: string; form: Record<string, string>; signed: boolean }[] = [];
  const queues = new Map<string, Reply[]>();

  const answer = async (key: string): Promise<Response> => {
    const reply = queues.get(key)?.shift();
    if (!reply) return HttpResponse.json({ error_response: { code: 15, msg: 'stub', sub_code: 'isv.unexpected-call', sub_msg: `no reply queued for ${key}` } });
    if (reply === 'hang') {
      await delay('infinite');
      return HttpResponse.text('');
    }
    if ('text' in reply) return new HttpResponse(reply.text, { status: reply.status });
    return HttpResponse.json(reply.body as Record<string, unknown>, { status: reply.status });
  };

  const server = setupServer(
    http.post(`${STUB_BASE}/router/rest`, async ({ request }) => {
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      calls.push({ path: '/router/rest', form, signed: verifyTaobaoSign(form, secret) });
      return answer(form.method ?? '');
    }),
    http.post(`${STUB_BASE}/oauth/token`, async ({ request }) => {
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      calls.push({ path: '/oauth/token', form, signed: true });
      return answer('/oauth/token');
    }),
  );

  return {
    server,
    calls,
    /** Queues replies for a method (or '/oauth/token'), answered in order. */
    reply(key: string, ...replies: Reply[]): void {
      queues.set(key, [...(queues.get(key) ?? []), ...replies]);
    },
    /** Queues every response of a recorded sample under the method (or path) that received it. */
    replay(sample: string): void {
      for (const ex of wireSample(sample)) {
        const key = ex.request.path === '/router/rest' ? (ex.request.form.method ?? '') : ex.request.path;
        this.reply(key, ex.response);
      }
    },
    reset(): void {
      calls.length = 0;
      queues.clear();
    },
  };
}
