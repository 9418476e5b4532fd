import type { AxiosResponse } from 'axios';
import { HttpResponse } from 'msw';
import { brandHttpError } from '../../../connectors/brand/errors-map.ts';
import { describe, expect, it } from 'vitest';
import { isSupplierError, type SupplierError } from '../../../connectors/errors.ts';
import { wireSample } from '../../../fixtures/wire/brand/samples.ts';
import { recordedConnector, sample, useRecordedBrand } from './wire-server.ts';

const brand = useRecordedBrand();
const connector = recordedConnector();
const recipient = { name: '张三', phone: '13800138000', province: '北京市', city: '北京市', district: '朝阳区', address: '建国路 1 号' };
const order = (reference = 'H1-L1-1') => ({ reference, lines: [{ supplierSkuId: 'ACME-000001', quantity: 1 }], recipient });

async function failure(p: Promise<unknown>): Promise<SupplierError> {
  return p.then(
    () => expect.unreachable('expected the call to fail'),
    (err: unknown) => {
      expect(isSupplierError(err)).toBe(true);
      return err as SupplierError;
    },
  );
}

describe('brand error mapping', () => {
  it.each([
    ['error-422-out-of-stock', 'stockout', 'out_of_stock'],
    ['error-422-address-unserviceable', 'unserviceable_region', 'address_unserviceable'],
    ['error-422-product-unavailable', 'not_sellable', 'product_unavailable'],
    ['error-400-invalid-request', 'bad_request', 'invalid_request'],
  ] as const)('submitOrder maps the recorded %s to %s, once, without retrying', async (name, code, supplierCode) => {
    brand.reply(() => sample(name));
    const err = await failure(connector.submitOrder(order()));
    expect(err).toMatchObject({ code, supplierCode, retryable: false, outcomeUnknown: false, supplier: 'brand-acme' });
    expect(brand.calls).toHaveLength(1);
  });

  it('any other 422 is a rejection', async () => {
    brand.reply(() => HttpResponse.json({ error: { type: 'credit_limit_reached', message: 'over the credit limit' } }, { status: 422 }));
    expect(await failure(connector.submitOrder(order()))).toMatchObject({ code: 'rejected', supplierCode: 'credit_limit_reached', retryable: false });
  });

  it('a wrong API key is auth_failed and never retried (brands have no request signature)', async () => {
    const wrong = recordedConnector({ credentials: { apiKey: 'wrong', webhookSecret: 'x' } });
    const err = await failure(wrong.listCatalog({ limit: 1 }));
    expect(err).toMatchObject({ code: 'auth_failed', supplierCode: 'authentication_error', retryable: false });
    expect(brand.calls).toHaveLength(1);
  });

  it('cancelOrder maps 409 to not_cancellable; 409 elsewhere is a rejection', async () => {
    brand.reply(() => sample('error-409-not-cancellable'));
    expect(await failure(connector.cancelOrder('ACME-O-1'))).toMatchObject({ code: 'not_cancellable', supplierCode: 'order_not_cancellable' });
    expect(await failure(connector.applyAfterSale({ supplierOrderId: 'ACME-O-1', supplierSkuId: 'ACME-000001', quantity: 1, type: 'return', reason: 'x', reference: 'R1' }))).toMatchObject({
      code: 'rejected',
    });
  });

  it('getOrder maps 404 to not_found', async () => {
    brand.reply(() => sample('error-404'));
    expect(await failure(connector.getOrder('ACME-O-NOPE'))).toMatchObject({ code: 'not_found', retryable: false });
  });

  it('retries a 503 and then succeeds', async () => {
    let n = 0;
    brand.reply(() => (n++ < 2 ? sample('error-503') : undefined));
    const page = await connector.listCatalog({ limit: 6 });
    expect(page.items).toHaveLength(6);
    expect(brand.calls).toHaveLength(3);
  });

  it('retries a write answered 503 (nothing was done) with the same Idempotency-Key', async () => {
    let n = 0;
    brand.reply(() => (n++ < 1 ? sample('error-503') : undefined));
    await connector.submitOrder(order());
    expect(brand.calls.map((c) => c.headers.get('idempotency-key'))).toEqual(['order-H1-L1-1', 'order-H1-L1-1']);
  });

  it('a 500 on a write is an unknown outcome: not retried, the caller looks the order up', async () => {
    brand.reply(() => HttpResponse.json({ error: { type: 'internal_error', message: 'boom' } }, { status: 500 }));
    expect(await failure(connector.submitOrder(order()))).toMatchObject({ code: 'unavailable', outcomeUnknown: true });
    expect(brand.calls).toHaveLength(1);
  });

  it('maps 429 to rate_limited with Retry-After in ms, and retries after it', async () => {
    // The recorded answer says `Retry-After: 1`; mapped directly so the test does not wait a second.
    const recorded = wireSample('error-429').response;
    const res = { status: recorded.status, headers: recorded.headers, data: JSON.stringify(recorded.body) } as unknown as AxiosResponse<string>;
    expect(brandHttpError('brand-acme', res, 'read')).toMatchObject({ code: 'rate_limited', retryAfterMs: 1000, retryable: true, supplierCode: 'rate_limited' });
    let n = 0;
    brand.reply(() => (n++ < 1 ? HttpResponse.json({ error: { type: 'rate_limited', message: 'slow down' } }, { status: 429, headers: { 'retry-after': '0' } }) : undefined));
    expect((await connector.listCatalog({ limit: 6 })).items).toHaveLength(6);
    expect(brand.calls).toHaveLength(2);
  });

  it('a submit that times out is an unknown outcome and is not retried', async () => {
    const quick = recordedConnector({ timeoutMs: 100 });
    brand.reply(async () => {
      await new Promise((r) => setTimeout(r, 400));
      return sample('order-created');
    });
    const err = await failure(quick.submitOrder(order()));
    expect(err).toMatchObject({ code: 'timeout', outcomeUnknown: true });
    expect(brand.calls).toHaveLength(1);
  });

  it('a read that times out is retried', async () => {
    const quick = recordedConnector({ timeoutMs: 100 });
    let n = 0;
    brand.reply(async () => {
      if (n++ === 0) await new Promise((r) => setTimeout(r, 400));
      return undefined;
    });
    expect((await quick.listCatalog({ limit: 6 })).items).toHaveLength(6);
    expect(brand.calls).toHaveLength(2);
  });

  it('an answer that is not the brand format is invalid_response', async () => {
    brand.reply(() => HttpResponse.json({ orders: 'nope' }));
    expect(await failure(recordedConnector({ resilience: { retries: 0 } }).getOrder('ACME-O-1'))).toMatchObject({ code: 'invalid_response' });
    brand.reply(() => new HttpResponse('<html>gateway</html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    expect(await failure(recordedConnector({ resilience: { retries: 0 } }).listCatalog({}))).toMatchObject({ code: 'invalid_response' });
  });
});
