import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, json, startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let apiKey: string;
beforeAll(async () => {
  hub = await startTestHub();
  ({ apiKey } = await hub.createMall('Method mall'));
});
afterAll(() => hub?.close());

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

async function expect405(res: Response, allow: string) {
  expect(res.status).toBe(405);
  expect(res.headers.get('allow')).toBe(allow);
  expect(res.headers.get('x-request-id')).toBeTruthy();
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(await json(res)).toEqual({ error: { code: 'method_not_allowed', message: expect.stringContaining(allow) } });
}

describe('a method a known path does not serve', () => {
  it('answers 405 method_not_allowed with Allow, on every path of the document', async () => {
    const doc = await json(await hub.call('GET', '/openapi.json'));
    const failures: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      const served = Object.keys(ops).map((m) => m.toUpperCase());
      const other = METHODS.find((m) => !served.includes(m)) as string;
      const res = await hub.call(other, path.replace(/\{\w+\}/g, 'x'), { token: path.startsWith('/admin/') ? ADMIN_TOKEN : apiKey });
      const allow = (res.headers.get('allow') ?? '').split(', ');
      if (res.status !== 405 || !served.every((m) => allow.includes(m))) failures.push(`${other} ${path}: ${res.status} allow=${allow.join(',')}`);
    }
    expect(failures).toEqual([]);
  });

  it('names every method of the path, HEAD with GET, before authentication and body checks', async () => {
    await expect405(await hub.call('DELETE', '/v1/orders'), 'GET, HEAD, POST');
    await expect405(await hub.call('PUT', '/v1/orders/ord_x', { token: apiKey, rawBody: 'not json', headers: { 'content-type': 'text/plain' } }), 'GET, HEAD');
    await expect405(await hub.call('GET', '/v1/orders/ord_x/cancel', { token: apiKey }), 'POST');
    await expect405(await hub.call('DELETE', '/admin/malls/mall_x'), 'GET, HEAD, PATCH');
    await expect405(await hub.call('POST', '/healthz'), 'GET, HEAD');
    await expect405(await hub.call('GET', '/webhooks/taobao'), 'POST');
  });

  it('leaves served methods, HEAD of a GET and unknown paths as they were', async () => {
    expect((await hub.call('HEAD', '/healthz')).status).toBe(200);
    expect((await hub.call('GET', '/v1/orders/ord_x', { token: apiKey })).status).toBe(404);
    expect((await hub.call('PATCH', '/admin/malls/mall_x')).status).toBe(401);
    const unknown = await hub.call('DELETE', '/v1/nothing-here', { token: apiKey });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('allow')).toBeNull();
    expect((await hub.call('GET', '/v1/orders/', { token: apiKey })).status).toBe(404);
    expect((await hub.call('DELETE', '/no/such/route')).status).toBe(404);
  });
});
