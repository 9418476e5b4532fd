import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SupplierError } from '../../../connectors/errors.ts';
import { TaobaoConnector } from '../../../connectors/taobao/index.ts';
import { topError } from '../../../connectors/taobao/top-errors.ts';
import type { ErrorResponse } from '../../../connectors/taobao/wire.ts';
import { TAOBAO_CREDENTIALS, TEST_RESILIENCE } from './conformance-target.ts';
import { STUB_BASE, topStub, wireSample } from './top-stub.ts';

const stub = topStub(TAOBAO_CREDENTIALS.appSecret);
const NOW = new Date('2026-11-23T02:00:00Z');
const make = (extra: object = {}) =>
  new TaobaoConnector({ baseUrl: STUB_BASE, credentials: TAOBAO_CREDENTIALS, timeoutMs: 200, resilience: TEST_RESILIENCE, now: () => NOW, ...extra });
const recipient = { name: '张三', phone: '13800138000', province: '北京', city: '北京市', district: '朝阳区', address: '建国路88号' };
const order = { reference: 'R-1', lines: [{ supplierSkuId: '600984068872', quantity: 1 }], recipient };
const page = () => wireSample('products-get')[0]?.response ?? { status: 200, body: {} };

beforeAll(() => stub.server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => stub.reset());
afterAll(() => stub.server.close());

async function rejection(p: Promise<unknown>): Promise<SupplierError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SupplierError);
  return err as SupplierError;
}

describe('Taobao requests', () => {
  it('signs every call with HMAC-SHA256 over TOP system and business parameters', async () => {
    stub.replay('products-get');
    await make().listCatalog({ limit: 3 });
    expect(stub.calls[0]).toMatchObject({
      signed: true,
      form: { app_key: 'tb-app', session: 'sess-1', format: 'json', v: '2.0', sign_method: 'hmac-sha256', timestamp: '2026-11-23 10:00:00' },
    });
    expect(stub.calls[0]?.form.sign).toMatch(/^[0-9A-F]{64}$/);
  });
});

describe('Taobao retries and failures', () => {
  it('retries a remote service error (code 15, isp) and then succeeds', async () => {
    stub.replay('error-remote-service');
    stub.reply('taobao.fenxiao.products.get', page());
    expect((await make().listCatalog({ limit: 3 })).items).toHaveLength(3);
    expect(stub.calls).toHaveLength(2);
  });

  it('retries an HTTP 503 from the gateway and then succeeds', async () => {
    stub.reply('taobao.fenxiao.products.get', { status: 503, text: 'Service Unavailable' }, page());
    expect((await make().listCatalog({ limit: 3 })).items).toHaveLength(3);
    expect(stub.calls).toHaveLength(2);
  });

  it('does not retry a bad signature', async () => {
    stub.replay('error-bad-signature');
    stub.reply('taobao.fenxiao.products.get', page());
    expect(await rejection(make().listCatalog({}))).toMatchObject({ code: 'bad_signature', retryable: false });
    expect(stub.calls).toHaveLength(1);
  });

  it('maps the call limit (code 7) to rate_limited with the ban TOP states', () => {
    const recorded = wireSample('error-call-limited')[0]?.response.body as { error_response: ErrorResponse };
    expect(topError('taobao', recorded.error_response, false)).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 1_000 });
  });

  it('waits out a call limit and then succeeds', async () => {
    const limited = { error_response: { code: 7, msg: 'App Call Limited', sub_code: 'accesscontrol.limited-by-app-access-count', sub_msg: 'This ban will last for 0 more seconds' } };
    stub.reply('taobao.fenxiao.products.get', { status: 200, body: limited }, page());
    expect((await make().listCatalog({ limit: 3 })).items).toHaveLength(3);
    expect(stub.calls).toHaveLength(2);
  });

  it('reports a write that times out as an unknown outcome and does not retry it', async () => {
    stub.reply('taobao.fenxiao.order.create', 'hang', 'hang');
    const err = await rejection(make().submitOrder(order));
    expect(err).toMatchObject({ code: 'timeout', outcomeUnknown: true });
    expect(stub.calls).toHaveLength(1);
  });

  it('retries a read that timed out', async () => {
    stub.reply('taobao.fenxiao.products.get', 'hang', page());
    expect((await make().listCatalog({ limit: 3 })).items).toHaveLength(3);
    expect(stub.calls).toHaveLength(2);
  });

  it('does not retry a write answered with HTTP 500: it may have happened', async () => {
    stub.reply('taobao.fenxiao.order.create', { status: 500, text: 'Internal Server Error' }, { status: 500, text: '' });
    expect(await rejection(make().submitOrder(order))).toMatchObject({ code: 'unavailable', outcomeUnknown: true });
    expect(stub.calls).toHaveLength(1);
  });
});

describe('Taobao session refresh', () => {
  it('refreshes an invalid session (27) at /oauth/token once, retries with the new one and keeps it', async () => {
    stub.replay('session-refresh');
    stub.replay('products-get');
    const tb = make();
    expect((await tb.listCatalog({ limit: 1 })).items).toHaveLength(1);
    expect(stub.calls.map((c) => [c.path, c.form.session])).toEqual([
      ['/router/rest', 'sess-1'],
      ['/oauth/token', undefined],
      ['/router/rest', 'sess-1-r1'],
    ]);
    expect(stub.calls[1]?.form).toMatchObject({ grant_type: 'refresh_token', client_id: 'tb-app', refresh_token: 'refresh-1' });
    await tb.listCatalog({ limit: 3 });
    expect(stub.calls[3]?.form.session).toBe('sess-1-r1');
  });

  it('shares one refresh among concurrent calls that all saw 27', async () => {
    const [expired, token, ok] = wireSample('session-refresh');
    stub.reply('taobao.fenxiao.products.get', expired?.response as never, expired?.response as never, ok?.response as never, ok?.response as never);
    stub.reply('/oauth/token', token?.response as never);
    const tb = make();
    await Promise.all([tb.listCatalog({ limit: 1 }), tb.listCatalog({ limit: 1 })]);
    expect(stub.calls.filter((c) => c.path === '/oauth/token')).toHaveLength(1);
  });

  it('gives auth_failed when the refresh token is refused', async () => {
    stub.replay('error-refresh-refused');
    expect(await rejection(make().listCatalog({}))).toMatchObject({ code: 'auth_failed', retryable: false, supplierCode: 'invalid_grant' });
    expect(stub.calls).toHaveLength(2);
  });

  it('gives auth_failed when the refreshed session is refused as well', async () => {
    const [expired, token] = wireSample('session-refresh');
    stub.reply('taobao.fenxiao.products.get', expired?.response as never, expired?.response as never);
    stub.reply('/oauth/token', token?.response as never);
    expect(await rejection(make().listCatalog({}))).toMatchObject({ code: 'auth_failed', retryable: false });
    expect(stub.calls).toHaveLength(3);
  });
});
