import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { SupplierOrderRequest } from '../../../connectors/connector.ts';
import { SupplierError } from '../../../connectors/errors.ts';
import { JdConnector } from '../../../connectors/jd/index.ts';
import { BASE, BEIJING, CREDS, connector, jdWire, rejection, sample } from './wire-server.ts';

const wire = jdWire();
const skus = (sample('offers_biz_price_sellPrice_get').params as { sku: string }).sku.split(',');
const order = (region = BEIJING): SupplierOrderRequest => ({
  reference: 'H7-L1-1',
  lines: [{ supplierSkuId: skus[0] ?? '', quantity: 1 }],
  recipient: { name: '张三', phone: '13800138000', ...region, address: '建国路88号' },
});
const offers = () => connector().getOffers(skus, BEIJING);
const stockAnswer = () => wire.answer('biz.stock.fororder.batget', 'offers_biz_stock_fororder_batget');

describe('JdConnector business codes', () => {
  it.each([
    ['3008 stock short', 'stockout_biz_order_unite_submit', 'stockout'],
    ['3004 not sellable in the area', 'unserviceable_biz_order_unite_submit', 'unserviceable_region'],
    ['2001 unknown or off-shelf SKU', 'not-sellable_biz_order_unite_submit', 'not_sellable'],
  ])('submitOrder maps %s to %s', async (_, name, code) => {
    wire.answer('biz.order.unite.submit', name);
    const err = await rejection(connector().submitOrder(order()));
    expect(err).toMatchObject({ code, retryable: false });
    expect(wire.calls('biz.order.unite.submit')).toHaveLength(1);
  });

  it('maps a confirmed order to not_cancellable and an unknown order to not_found', async () => {
    wire.answer('biz.order.cancelorder', 'cancel-confirmed_biz_order_cancelorder');
    expect(await rejection(connector().cancelOrder('1'))).toMatchObject({ code: 'not_cancellable' });
    wire.answer('biz.order.jdOrder.query', 'get-missing_biz_order_jdOrder_query');
    expect(await rejection(connector().getOrder('1'))).toMatchObject({ code: 'not_found', supplierCode: '3103' });
  });

  it('cancels a pre-occupied order', async () => {
    wire.answer('biz.order.cancelorder', 'cancel_biz_order_cancelorder');
    await expect(connector().cancelOrder('1')).resolves.toBeUndefined();
  });

  it('refuses to submit to an address it cannot map, without calling submit', async () => {
    const err = await rejection(connector().submitOrder(order({ province: '火星', city: 'x', district: 'y' })));
    expect(err).toMatchObject({ code: 'unserviceable_region' });
    expect(wire.calls('biz.order.unite.submit')).toHaveLength(0);
  });
});

describe('JdConnector platform errors', () => {
  it('does not retry a bad signature', async () => {
    wire.answer('biz.address.allProvinces.query', 'bad-sign_biz_address_allProvinces_query');
    const err = await rejection(connector().resolveRegion(BEIJING));
    expect(err).toMatchObject({ code: 'bad_signature', retryable: false, supplierCode: '1002' });
    expect(wire.seen).toHaveLength(1);
  });

  it('maps a timestamp JD rejects to bad_request, not retried', async () => {
    wire.answer('biz.address.allProvinces.query', 'bad-timestamp_biz_address_allProvinces_query');
    expect(await rejection(connector().resolveRegion(BEIJING))).toMatchObject({ code: 'bad_request', supplierCode: '1009' });
    expect(wire.seen).toHaveLength(1);
  });

  it('retries "system busy" (1008, HTTP 503) and then succeeds', async () => {
    wire.answer('biz.price.sellPrice.get', 'busy_biz_price_sellPrice_get', 'offers_biz_price_sellPrice_get');
    stockAnswer();
    expect((await offers()).every((o) => o.sellable)).toBe(true);
    expect(wire.calls('biz.price.sellPrice.get')).toHaveLength(2);
  });

  it('retries a gateway 502 without a JD body, then succeeds', async () => {
    wire.answer('biz.price.sellPrice.get', { status: 502, response: '<html>502 Bad Gateway</html>' }, 'offers_biz_price_sellPrice_get');
    stockAnswer();
    expect((await offers()).every((o) => o.sellable)).toBe(true);
    expect(wire.calls('biz.price.sellPrice.get')).toHaveLength(2);
  });

  it('gives up with unavailable after the retries', async () => {
    wire.answer('biz.price.sellPrice.get', 'busy_biz_price_sellPrice_get');
    stockAnswer();
    expect(await rejection(offers())).toMatchObject({ code: 'unavailable', retryable: true });
    expect(wire.calls('biz.price.sellPrice.get')).toHaveLength(3);
  });

  it('maps the call limit to rate_limited with a pause to wait', async () => {
    wire.answer('biz.price.sellPrice.get', 'rate-limited_biz_price_sellPrice_get');
    wire.answer('biz.stock.fororder.batget', 'rate-limited_biz_stock_fororder_batget');
    const err = await rejection(connector({ retries: 0 }).getOffers(skus, BEIJING));
    expect(err).toMatchObject({ code: 'rate_limited', retryable: true });
    expect((err as SupplierError).retryAfterMs).toBeGreaterThan(0);
  });

  it('maps a body that is not JSON to invalid_response', async () => {
    wire.answer('biz.price.sellPrice.get', { status: 200, response: 'not json' });
    stockAnswer();
    expect(await rejection(offers())).toMatchObject({ code: 'invalid_response' });
  });
});

describe('JdConnector tokens', () => {
  it('refreshes an expired token (1004) once and repeats the call', async () => {
    wire.answer('biz.price.sellPrice.get', 'token-expired_biz_price_sellPrice_get', 'offers_biz_price_sellPrice_get');
    stockAnswer();
    const before = wire.tokens;
    await offers();
    expect(wire.tokens - before).toBe(2);
    const [expired, retried] = wire.calls('biz.price.sellPrice.get');
    expect(retried?.params.access_token).not.toBe(expired?.params.access_token);
  });

  it('answers auth_failed when the refreshed token is refused too, without looping', async () => {
    wire.answer('biz.price.sellPrice.get', 'token-expired_biz_price_sellPrice_get');
    stockAnswer();
    expect(await rejection(offers())).toMatchObject({ code: 'auth_failed', retryable: false });
    expect(wire.calls('biz.price.sellPrice.get')).toHaveLength(2);
  });

  it('maps a refused client secret to auth_failed', async () => {
    wire.answerToken('auth-refused_oauth2_accessToken');
    expect(await rejection(connector().resolveRegion(BEIJING))).toMatchObject({ code: 'auth_failed' });
    expect(wire.seen).toHaveLength(0);
  });

  it('renews a token before its expires_in runs out', async () => {
    let now = new Date('2026-11-23T02:00:00Z');
    const c = new JdConnector({ baseUrl: BASE, credentials: CREDS, timeoutMs: 300, now: () => now });
    await c.resolveRegion(BEIJING);
    now = new Date(now.getTime() + 86_400_000);
    await c.resolveRegion({ ...BEIJING, town: '建外街道' });
    expect(wire.tokens).toBeGreaterThanOrEqual(2);
    const used = new Set(wire.seen.map((s) => s.params.access_token));
    expect(used.size).toBe(2);
  });
});

describe('JdConnector timeouts', () => {
  const slow = (method: string) =>
    wire.server.use(http.post(`${BASE}/routerjson`, async ({ request }) => {
      const params = Object.fromEntries(new URLSearchParams(await request.clone().text()));
      if (params.method !== method) return undefined;
      wire.seen.push({ method, params });
      await new Promise((r) => setTimeout(r, 600));
      return HttpResponse.json(sample('submit_biz_order_unite_submit').response);
    }));

  it('reports a submit that times out as an unknown outcome, without retrying it', async () => {
    slow('biz.order.unite.submit');
    const err = await rejection(connector().submitOrder(order()));
    expect(err).toBeInstanceOf(SupplierError);
    expect(err).toMatchObject({ code: 'timeout', outcomeUnknown: true });
    expect(wire.calls('biz.order.unite.submit')).toHaveLength(1);
  });

  it('retries a read that times out (its outcome does not matter)', async () => {
    slow('biz.order.jdOrderIDByThridOrderID.query');
    const err = await rejection(connector({ retries: 1 }).findOrder('H1-L1-1'));
    expect(err).toMatchObject({ code: 'timeout', outcomeUnknown: false });
    expect(wire.calls('biz.order.jdOrderIDByThridOrderID.query')).toHaveLength(2);
  });
});
