import { delay, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { isSupplierError, type SupplierError, type SupplierErrorCode } from '../../../connectors/errors.ts';
import { topupError } from '../../../connectors/topup/platform-errors.ts';
import { Envelope } from '../../../connectors/topup/wire.ts';
import { wireSample } from '../../../fixtures/wire/topup/samples.ts';
import { recordedConnector, sample, useRecordedPlatform } from './wire-server.ts';

const platform = useRecordedPlatform();
const phoneOrder = (reference: string) => ({ reference, lines: [{ supplierSkuId: 'CMCC-50', quantity: 1 }], rechargeAccount: '13800138000' });
const adds = () => platform.calls.filter((c) => c.params.method === 'order.direct.add').length;

async function failure(p: Promise<unknown>): Promise<SupplierError> {
  return p.then(
    () => expect.unreachable('expected the call to fail'),
    (err: unknown) => {
      expect(isSupplierError(err)).toBe(true);
      return err as SupplierError;
    },
  );
}

describe('top-up error codes', () => {
  it.each<[string, SupplierErrorCode, boolean]>([
    ['error-bad-request', 'bad_request', false],
    ['error-bad-sign', 'bad_signature', false],
    ['error-rate-limited', 'rate_limited', true],
    ['error-off-shelf', 'not_sellable', false],
    ['error-stockout', 'stockout', false],
    ['error-insufficient-balance', 'insufficient_balance', false],
    ['order-info-not-found', 'not_found', false],
    ['error-system-busy', 'unavailable', true],
  ])('maps the recorded %s answer to %s (retryable: %s)', (name, code, retryable) => {
    const env = Envelope.parse(wireSample(name).response);
    const err = topupError('topup-fulu', env);
    expect([err.code, err.retryable, err.supplierCode]).toEqual([code, retryable, env.code]);
    if (code === 'rate_limited') expect(err.retryAfterMs).toBe(1_000);
  });

  it('maps an unknown code to rejected, not retried', () => {
    expect(topupError('topup-fulu', { code: '9999', message: '未知错误', data: null })).toMatchObject({ code: 'rejected', retryable: false });
  });

  it('a stockout and an insufficient balance on order.direct.add are thrown once, not retried', async () => {
    for (const [name, code] of [['error-stockout', 'stockout'], ['error-insufficient-balance', 'insufficient_balance']] as const) {
      platform.calls.length = 0;
      platform.reply(({ params }) => (params.method === 'order.direct.add' ? sample(name) : undefined));
      expect((await failure(recordedConnector().submitOrder(phoneOrder('H1-L6-1')))).code).toBe(code);
      expect(adds()).toBe(1);
    }
  });
});

describe('top-up retries and timeouts', () => {
  it('rejects a bad signature without retrying: exactly one request', async () => {
    platform.reply(() => sample('error-bad-sign'));
    const err = await failure(recordedConnector({ credentials: { appKey: 'tu-app', appSecret: 'wrong' } }).balanceFen());
    expect([err.code, err.retryable]).toEqual(['bad_signature', false]);
    expect(platform.calls).toHaveLength(1);
    expect(platform.calls[0]?.signedOk).toBe(false);
  });

  it('retries an HTTP 503 and a 5000 "system busy", then succeeds', async () => {
    let n = 0;
    platform.reply(() => (++n === 1 ? new HttpResponse('bad gateway', { status: 503 }) : n === 2 ? sample('error-system-busy') : undefined));
    expect(await recordedConnector().balanceFen()).toBe(10_000_000);
    expect(platform.calls).toHaveLength(3);
  });

  it('retries a write after 5000 (nothing was processed) and gets the order', async () => {
    let n = 0;
    platform.reply(({ params }) => (params.method !== 'order.direct.add' ? undefined : ++n === 1 ? sample('error-system-busy') : sample('order-direct-add')));
    expect((await recordedConnector().submitOrder(phoneOrder('H1-L1-1'))).supplierOrderId).toBe('FULU2026112300000001');
    expect(adds()).toBe(2);
  });

  it('waits out a rate limit (data.retry_after seconds) and retries', async () => {
    let n = 0;
    const limited = { ...wireSample('error-rate-limited').response, data: { retry_after: 0.02 } };
    platform.reply(() => (++n === 1 ? HttpResponse.json(limited) : undefined));
    expect(await recordedConnector().balanceFen()).toBe(10_000_000);
    expect(platform.calls).toHaveLength(2);
  });

  it('an order.direct.add that times out is an unknown outcome and is not retried', async () => {
    platform.reply(async ({ params }) => (params.method === 'order.direct.add' ? (await delay(300), sample('order-direct-add')) : undefined));
    const err = await failure(recordedConnector({ timeoutMs: 100 }).submitOrder(phoneOrder('H1-L1-1')));
    expect([err.code, err.outcomeUnknown]).toEqual(['timeout', true]);
    expect(adds()).toBe(1);
  });

  it('an HTTP 500 on order.direct.add is also an unknown outcome, not retried', async () => {
    platform.reply(({ params }) => (params.method === 'order.direct.add' ? new HttpResponse('oops', { status: 500 }) : undefined));
    const err = await failure(recordedConnector().submitOrder(phoneOrder('H1-L1-1')));
    expect([err.code, err.outcomeUnknown]).toEqual(['unavailable', true]);
    expect(adds()).toBe(1);
  });

  it('a read that times out is retried and its outcome is known', async () => {
    platform.reply(async () => (await delay(300), sample('balance')));
    const err = await failure(recordedConnector({ timeoutMs: 50, resilience: { retries: 1, minRetryDelayMs: 1, maxRetryDelayMs: 2 } }).balanceFen());
    expect([err.code, err.outcomeUnknown]).toEqual(['timeout', false]);
    expect(platform.calls).toHaveLength(2);
  });

  it('an answer that is not JSON, or has no envelope, is invalid_response', async () => {
    platform.reply(() => new HttpResponse('<html>gateway</html>', { status: 200 }));
    expect((await failure(recordedConnector({ resilience: { retries: 0 } }).balanceFen())).code).toBe('invalid_response');
    platform.reply(() => HttpResponse.json({ ok: true }));
    expect((await failure(recordedConnector({ resilience: { retries: 0 } }).balanceFen())).code).toBe('invalid_response');
  });
});
