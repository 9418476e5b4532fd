import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SupplierError } from '../../../connectors/errors.ts';
import { formatUtc8Timestamp } from '../../../connectors/shared/timestamp.ts';
import { signTaobao } from '../../../connectors/taobao/sign.ts';
import { beijingOrder, startTaobao, TAOBAO_CREDENTIALS } from './conformance-target.ts';

let run: Awaited<ReturnType<typeof startTaobao>>;
let n = 0;
const ref = () => `FLT-${Date.now().toString(36)}-${++n}`;

beforeAll(async () => {
  run = await startTaobao({ seed: 7, skus: 300 });
});
afterAll(() => run?.stop());
beforeEach(() => run.sandbox.faults.reset());

async function rejection(p: Promise<unknown>): Promise<SupplierError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SupplierError);
  return err as SupplierError;
}

/** A hand-made TOP call, to check the sandbox's wire answers without the connector in between. */
async function rawCall(extra: Record<string, string>, opts: { secret?: string; at?: Date } = {}): Promise<Record<string, { code?: number; sub_code?: string; sub_msg?: string }>> {
  const params: Record<string, string> = {
    method: 'taobao.fenxiao.products.get',
    app_key: TAOBAO_CREDENTIALS.appKey,
    session: TAOBAO_CREDENTIALS.session,
    timestamp: formatUtc8Timestamp(opts.at ?? new Date()),
    format: 'json',
    v: '2.0',
    sign_method: 'hmac-sha256',
    page_size: '1',
    ...extra,
  };
  params.sign = signTaobao(params, opts.secret ?? TAOBAO_CREDENTIALS.appSecret);
  const res = await fetch(`${run.baseUrl}/router/rest`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
  expect(res.status).toBe(200); // TOP answers failures with HTTP 200 and error_response
  return (await res.json()) as never;
}

describe('Taobao sandbox gateway and faults', () => {
  it('rejects a timestamp more than 10 minutes off (code 25) and accepts one within', async () => {
    // Checked against the wall clock, whatever the sandbox clock says.
    const now = Date.now();
    expect((await rawCall({}, { at: new Date(now - 11 * 60_000) })).error_response).toMatchObject({ code: 25, sub_code: 'invalid-timestamp' });
    expect((await rawCall({}, { at: new Date(now + 11 * 60_000) })).error_response).toMatchObject({ code: 25 });
    expect(await rawCall({}, { at: new Date(now - 9 * 60_000) })).toHaveProperty('taobao_fenxiao_products_get_response');
  });

  it('answers TOP errors in TOP form: bad sign 25, unknown session 27, page_size over 100', async () => {
    expect((await rawCall({}, { secret: 'nope' })).error_response?.code).toBe(25);
    expect((await rawCall({ session: 'stolen' })).error_response).toMatchObject({ code: 27, sub_code: 'invalid-sessionkey' });
    expect((await rawCall({ page_size: '101' })).error_response).toMatchObject({ code: 15, sub_code: 'isv.invalid-parameter' });
  });

  it('limits calls per second with code 7 and a ban in seconds', async () => {
    run.sandbox.faults.set({ rateLimitPerSec: 1 });
    await rawCall({});
    expect((await rawCall({})).error_response).toMatchObject({ code: 7, sub_msg: 'This ban will last for 1 more seconds' });
  });

  it('expires the session under expireTokens: the connector refreshes once and goes on', async () => {
    run.sandbox.faults.set({ expireTokens: true });
    const tb = run.connectorWith({});
    const before = run.sandbox.requestCount();
    expect((await tb.listCatalog({ limit: 2 })).items).toHaveLength(2);
    await tb.listCatalog({ limit: 2 });
    expect(run.sandbox.requestCount() - before).toBe(4); // 27, /oauth/token, retry, then the new session works
  });

  it('hangs under hangRate: a read times out and is retried before the connector gives up', async () => {
    run.sandbox.faults.set({ hangRate: 1 });
    const tb = run.connectorWith({}, { timeoutMs: 100, resilience: { retries: 1, minRetryDelayMs: 5, maxRetryDelayMs: 10, breakerThreshold: 50 } });
    const before = run.sandbox.requestCount();
    expect(await rejection(tb.listCatalog({ limit: 1 }))).toMatchObject({ code: 'timeout', outcomeUnknown: false });
    expect(run.sandbox.requestCount() - before).toBe(2);
  });

  it('runs out of stock in a region under stockoutRegions, whatever the name form', async () => {
    run.sandbox.faults.set({ stockoutRegions: ['广东省'] });
    const [gd] = await run.connector.getOffers([run.orderedSku], { province: '广东', city: '广州市', district: '天河区' });
    expect(gd).toMatchObject({ stock: 0, available: false, sellable: true });
    const order = beijingOrder(ref(), run.orderedSku);
    const toGuangdong = { ...order, recipient: { ...(order.recipient as NonNullable<typeof order.recipient>), province: '广东' } };
    expect(await rejection(run.connector.submitOrder(toGuangdong))).toMatchObject({ code: 'stockout' });
    expect((await run.connector.submitOrder(order)).status).toBe('accepted');
  });

  it('refuses an address outside the mainland provinces: unserviceable_region', async () => {
    const order = beijingOrder(ref(), run.orderedSku);
    const toMacau = { ...order, recipient: { ...(order.recipient as NonNullable<typeof order.recipient>), province: '澳门特别行政区' } };
    expect(await rejection(run.connector.submitOrder(toMacau))).toMatchObject({ code: 'unserviceable_region' });
  });

  it('takes faults over HTTP at PUT /sandbox/faults, like the other sandboxes', async () => {
    const res = await fetch(`${run.baseUrl}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 1 }) });
    expect(res.status).toBe(200);
    expect(run.sandbox.faults.config.failNext).toBe(1);
    const before = run.sandbox.requestCount();
    await run.connector.listCatalog({ limit: 1 });
    expect(run.sandbox.requestCount() - before).toBe(2);
  });
});
