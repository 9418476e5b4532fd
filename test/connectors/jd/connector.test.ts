import { readFileSync } from 'node:fs';
import { HttpResponse, http, type JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isSupplierError } from '../../../connectors/errors.ts';
import { JdConnector } from '../../../connectors/jd/index.ts';
import { signJd } from '../../../connectors/jd/sign.ts';

const BASE = 'http://jd.test';
const creds = { clientId: 'jd-client', clientSecret: 'jd-client-secret', appKey: 'jd-app', appSecret: 'jd-secret' };
const sample = (name: string): JsonBodyType => (JSON.parse(readFileSync(new URL(`../../../fixtures/wire/jd/${name}.json`, import.meta.url), 'utf8')) as { response: JsonBodyType }).response;
const AREA = ['catalog_biz_address_allProvinces_query', 'catalog_biz_address_citysByProvinceId_query', 'catalog_biz_address_countysByCityId_query'];
const beijing = { province: '北京', city: '北京市', district: '朝阳区' };
const skus = ['100819977582', '100381748862'];

/** Per test: which recorded answer each method gets (a list is answered in turn, the last one repeating). */
let answers: Record<string, JsonBodyType[]> = {};
const seen: { method: string; params: Record<string, string> }[] = [];
let tokens = 0;

const server = setupServer(
  http.post(`${BASE}/oauth2/accessToken`, () => HttpResponse.json({ access_token: `tok-${++tokens}`, expires_in: 86_400 })),
  http.post(`${BASE}/routerjson`, async ({ request }) => {
    const params = Object.fromEntries(new URLSearchParams(await request.text()));
    seen.push({ method: params.method ?? '', params });
    const area = AREA.find((a) => a.endsWith((params.method ?? '').replaceAll('.', '_')));
    const queue = answers[params.method ?? ''];
    if (queue?.length) return HttpResponse.json(queue.length > 1 ? queue.shift() : queue[0]);
    if (area) return HttpResponse.json(sample(area));
    return HttpResponse.json({ error_response: { code: '1010', zh_desc: '方法不存在', en_desc: 'unknown method' } });
  }),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  answers = {};
  seen.length = 0;
});
afterAll(() => server.close());

const connector = () => new JdConnector({ baseUrl: BASE, credentials: creds, timeoutMs: 500, resilience: { retries: 2, minRetryDelayMs: 1, maxRetryDelayMs: 2 } });
const set = (method: string, ...names: string[]) => {
  answers[method] = names.map(sample);
};
async function fails(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('JdConnector (recorded wire samples)', () => {
  it('signs every call with MD5 over the sorted parameters and sends a UTC+8 timestamp', async () => {
    set('biz.price.sellPrice.get', 'offers_biz_price_sellPrice_get');
    set('biz.stock.fororder.batget', 'offers_biz_stock_fororder_batget');
    await connector().getOffers(skus, beijing);
    for (const { params } of seen) {
      const { sign, ...rest } = params;
      expect(sign).toBe(signJd(rest, creds.appSecret));
      expect(params.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(params.access_token).toMatch(/^tok-/);
    }
  });

  it('composes a catalog page from pool SKUs, details, prices and Beijing stock, in integer fen', async () => {
    set('biz.product.PageNum.query', 'catalog_biz_product_PageNum_query');
    set('biz.product.sku.query', 'catalog_biz_product_sku_query');
    set('biz.product.detail.query', 'catalog_biz_product_detail_query');
    set('biz.price.sellPrice.get', 'catalog_biz_price_sellPrice_get');
    set('biz.stock.fororder.batget', 'catalog_biz_stock_fororder_batget');
    const page = await connector().listCatalog({ limit: 100 });
    expect(page.items).toHaveLength(100);
    const first = page.items[0];
    expect(first?.supplierSkuId).toMatch(/^\d+$/);
    expect(Number.isInteger(first?.costFen)).toBe(true);
    expect(first?.categoryPath).toHaveLength(3);
    expect(first?.gtin).toMatch(/^69\d{11}$/);
    expect(page.nextCursor).not.toBeNull();
    const stockCall = seen.find((s) => s.method === 'biz.stock.fororder.batget');
    expect(JSON.parse(stockCall?.params['360buy_param_json'] ?? '{}').area).toBe('1_101_10101');
  });

  it('maps a submit to a pending order and answers the existing order for a repeated thirdOrder', async () => {
    set('biz.order.unite.submit', 'submit_biz_order_unite_submit');
    const order = await connector().submitOrder({ reference: 'H1-L1-1', lines: skus.map((supplierSkuId) => ({ supplierSkuId, quantity: 1 })), recipient: { name: '张三', phone: '13800138000', ...beijing, address: '建国路88号' } });
    expect(order.status).toBe('pending_confirmation');
    set('biz.order.unite.submit', 'duplicate_biz_order_unite_submit');
    set('biz.order.jdOrder.query', 'duplicate_biz_order_jdOrder_query');
    const again = await connector().submitOrder({ reference: 'H1-L1-1', lines: skus.map((supplierSkuId) => ({ supplierSkuId, quantity: 1 })), recipient: { name: '张三', phone: '13800138000', ...beijing, address: '建国路88号' } });
    expect(again.supplierOrderId).toBe(order.supplierOrderId);
  });

  it('finds an order by thirdOrder, or null when JD has none', async () => {
    set('biz.order.jdOrderIDByThridOrderID.query', 'find_biz_order_jdOrderIDByThridOrderID_query');
    set('biz.order.jdOrder.query', 'find_biz_order_jdOrder_query');
    expect((await connector().findOrder('H1-L1-1'))?.reference).toBe('H1-L1-1');
    set('biz.order.jdOrderIDByThridOrderID.query', 'find-missing_biz_order_jdOrderIDByThridOrderID_query');
    expect(await connector().findOrder('H9-L9-9')).toBeNull();
  });

  it('maps a delivered split order: children, one JD waybill each, events in order', async () => {
    set('biz.order.jdOrder.query', 'delivered_biz_order_jdOrder_query');
    const order = await connector().getOrder('1');
    expect(order.status).toBe('delivered');
    expect(order.children).toHaveLength(2);
    expect(order.shipments.every((s) => s.carrier === 'JD' && s.events.at(-1)?.status === 'delivered')).toBe(true);
  });

  it('maps business and platform codes to typed errors', async () => {
    set('biz.order.unite.submit', 'stockout_biz_order_unite_submit');
    expect(isSupplierError(await fails(connector().submitOrder({ reference: 'x', lines: [{ supplierSkuId: '1', quantity: 1 }], recipient: { name: 'n', phone: '13800138000', ...beijing, address: 'a' } })), 'stockout')).toBe(true);
    set('biz.order.cancelorder', 'cancel-confirmed_biz_order_cancelorder');
    expect(isSupplierError(await fails(connector().cancelOrder('1')), 'not_cancellable')).toBe(true);
  });

  it('does not retry a bad signature', async () => {
    set('biz.address.allProvinces.query', 'bad-sign_biz_address_allProvinces_query');
    const err = await fails(connector().resolveRegion(beijing));
    expect(isSupplierError(err, 'bad_signature')).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('retries "system busy" and then succeeds', async () => {
    set('biz.price.sellPrice.get', 'busy_biz_price_sellPrice_get', 'offers_biz_price_sellPrice_get');
    set('biz.stock.fororder.batget', 'offers_biz_stock_fororder_batget');
    const offers = await connector().getOffers(skus, beijing);
    expect(offers.every((o) => o.sellable)).toBe(true);
    expect(seen.filter((s) => s.method === 'biz.price.sellPrice.get')).toHaveLength(2);
  });

  it('refreshes an expired token once and repeats the call', async () => {
    set('biz.price.sellPrice.get', 'token-expired_biz_price_sellPrice_get', 'offers_biz_price_sellPrice_get');
    set('biz.stock.fororder.batget', 'offers_biz_stock_fororder_batget');
    const before = tokens;
    await connector().getOffers(skus, beijing);
    expect(tokens - before).toBe(2);
  });

  it('maps the call limit to rate_limited', async () => {
    set('biz.price.sellPrice.get', 'rate-limited_biz_price_sellPrice_get');
    set('biz.stock.fororder.batget', 'rate-limited_biz_stock_fororder_batget');
    const c = new JdConnector({ baseUrl: BASE, credentials: creds, timeoutMs: 500, resilience: { retries: 0 } });
    expect(isSupplierError(await fails(c.getOffers(skus, beijing)), 'rate_limited')).toBe(true);
  });

  it('reports a submit that times out as an unknown outcome, without retrying it', async () => {
    server.use(http.post(`${BASE}/routerjson`, async ({ request }) => {
      const params = Object.fromEntries(new URLSearchParams(await request.clone().text()));
      if (params.method !== 'biz.order.unite.submit') return undefined;
      seen.push({ method: params.method, params });
      await new Promise((r) => setTimeout(r, 1_000));
      return HttpResponse.json(sample('submit_biz_order_unite_submit'));
    }));
    const err = await fails(connector().submitOrder({ reference: 'slow', lines: [{ supplierSkuId: '1', quantity: 1 }], recipient: { name: 'n', phone: '13800138000', ...beijing, address: 'a' } }));
    expect(err).toMatchObject({ code: 'timeout', outcomeUnknown: true });
    expect(seen.filter((s) => s.method === 'biz.order.unite.submit')).toHaveLength(1);
    server.resetHandlers();
  });

  it('parses pool messages into events', async () => {
    set('biz.message.get', 'messages_biz_message_get');
    const c = connector();
    if (c.inbound.mode !== 'poll') throw new Error('JD is polled');
    const messages = await c.inbound.fetch([1, 5, 10, 12]);
    expect(messages.length).toBeGreaterThan(0);
    const types = messages.flatMap((m) => (c.inbound.mode === 'poll' ? c.inbound.parse(m) : [])).map((e) => e.type);
    expect(types.length).toBeGreaterThan(0);
  });
});
