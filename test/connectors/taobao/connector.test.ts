import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierConnector } from '../../../connectors/connector.ts';
import { SupplierError } from '../../../connectors/errors.ts';
import { TaobaoConnector } from '../../../connectors/taobao/index.ts';
import { TAOBAO_CREDENTIALS, TEST_RESILIENCE } from './conformance-target.ts';
import { STUB_BASE, topStub, wireSample } from './top-stub.ts';

const stub = topStub(TAOBAO_CREDENTIALS.appSecret);
const NOW = new Date('2026-11-23T02:00:00Z');
const tb = new TaobaoConnector({ baseUrl: STUB_BASE, credentials: TAOBAO_CREDENTIALS, timeoutMs: 300, resilience: TEST_RESILIENCE, now: () => NOW });
const recipient = { name: '张三', phone: '13800138000', province: '北京', city: '北京市', district: '朝阳区', address: '建国路88号' };

beforeAll(() => stub.server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => stub.reset());
afterAll(() => stub.server.close());

/** The recorded answer body of a sample's first exchange for a method. */
function recorded<T>(sample: string, method: string): T {
  const ex = wireSample(sample).find((e) => e.request.form.method === method);
  return (ex?.response.body as Record<string, T>)[`${method.replaceAll('.', '_')}_response`] as T;
}

async function rejection(p: Promise<unknown>): Promise<SupplierError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SupplierError);
  return err as SupplierError;
}

describe('Taobao catalog', () => {
  it('listCatalog maps a products page: yuan to fen, category path, properties, SKU stock, next page cursor', async () => {
    stub.replay('products-get');
    const page = await tb.listCatalog({ limit: 3 });
    expect(stub.calls[0]?.form).toMatchObject({ method: 'taobao.fenxiao.products.get', page_no: '1', page_size: '3' });
    expect(page.items).toHaveLength(3);
    const first = recorded<{ products: { fenxiao_product: Record<string, unknown>[] } }>('products-get', 'taobao.fenxiao.products.get').products.fenxiao_product[0];
    expect(page.items[0]).toEqual({
      supplierSkuId: String(first?.pid),
      title: first?.name,
      brand: '特步',
      model: 'VDQE421',
      gtin: '6982806740356',
      kind: 'physical',
      categoryPath: ['运动服/休闲服装', '运动服', '运动裤'],
      supplierCategoryId: '50058631',
      images: String(first?.pictures).split(','),
      attributes: { 品牌: '特步', 型号: 'VDQE421', 尺码: 'XL', 款式: '束脚', 发货地: '西藏' },
      marketPriceFen: 17_900,
      costFen: 12_137,
      onShelf: true,
      stock: (first?.skus as { fenxiao_sku: { quantity: number }[] }).fenxiao_sku[0]?.quantity,
      virtual: null,
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(page.nextCursor).toBe('p2');
  });

  it('listCatalog sends start_modified in UTC+8 and keeps that window in the cursor for later pages', async () => {
    stub.replay('products-get-incremental');
    stub.replay('products-get-incremental');
    const since = new Date('2026-11-26T01:00:00.750Z');
    const first = await tb.listCatalog({ limit: 5, updatedSince: since });
    expect(stub.calls[0]?.form.start_modified).toBe('2026-11-26 09:00:00');
    expect(first.items).toHaveLength(5);
    await tb.listCatalog({ cursor: first.nextCursor, limit: 5 });
    expect(stub.calls[1]?.form).toMatchObject({ page_no: '2', start_modified: '2026-11-26 09:00:00' });
  });

  it('listCatalog asks for at most 100 a page, and ends when TOP has no more', async () => {
    stub.reply('taobao.fenxiao.products.get', { status: 200, body: { taobao_fenxiao_products_get_response: { total_results: 0 } } });
    const page = await tb.listCatalog({ limit: 500 });
    expect(stub.calls[0]?.form.page_size).toBe('100');
    expect(page).toEqual({ items: [], nextCursor: null });
    await expect(tb.listCatalog({ cursor: 'garbage' })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('getOffers reads live stock by province code; a product TOP does not return cannot be sold', async () => {
    stub.replay('product-skus-get');
    const ids = wireSample('product-skus-get')[0]?.request.form.product_ids?.split(',') ?? [];
    const offers = await tb.getOffers(ids, { province: '广东', city: '深圳市', district: '南山区' });
    expect(stub.calls[0]?.form).toMatchObject({ method: 'taobao.fenxiao.product.skus.get', area_id: '440000', product_ids: ids.join(',') });
    expect(offers.map((o) => [o.sellable, o.available])).toEqual([
      [true, true],
      [false, false], // off shelf
      [false, false], // unknown to TOP
    ]);
    expect(offers[0]?.costFen).toBe(12_137);
    expect(offers[2]).toEqual({ supplierSkuId: ids[2], costFen: null, stock: 0, available: false, sellable: false });
  });

  it('getOffers and resolveRegion answer without a call for a region outside the mainland provinces', async () => {
    const hk = { province: '香港特别行政区', city: '', district: '' };
    expect(await tb.getOffers(['600984068872'], hk)).toEqual([{ supplierSkuId: '600984068872', costFen: null, stock: 0, available: false, sellable: false }]);
    expect(await tb.resolveRegion(hk)).toEqual({ serviceable: false });
    expect(await tb.resolveRegion({ province: '广西壮族自治区', city: '', district: '' })).toEqual({ serviceable: true, supplierRegionId: '450000' });
    expect(stub.calls).toHaveLength(0);
  });
});

describe('Taobao purchase orders', () => {
  it('submitOrder sends the distributor order number, items and receiver, and maps the purchase order', async () => {
    stub.replay('order-create');
    const sent = wireSample('order-create')[0]?.request.form;
    const order = await tb.submitOrder({ reference: 'WIRE-1', lines: [{ supplierSkuId: '600984068872', quantity: 1 }], recipient });
    expect(stub.calls[0]?.form).toMatchObject({ dist_order_no: 'WIRE-1', items: sent?.items, receiver_state: '北京', receiver_mobile_phone: '13800138000' });
    const po = recorded<{ purchase_order: { fenxiao_id: number } }>('order-create', 'taobao.fenxiao.order.create').purchase_order;
    expect(order).toMatchObject({ supplierOrderId: String(po.fenxiao_id), reference: 'WIRE-1', status: 'accepted', shipments: [], freightFen: 0 });
    expect(order.lines).toEqual([{ supplierSkuId: '600984068872', quantity: 1, costFen: 12_137 }]);
  });

  it('submitOrder answers the existing order for a repeated dist_order_no, not an error', async () => {
    stub.replay('order-create');
    stub.replay('order-create-repeat');
    const req = { reference: 'WIRE-1', lines: [{ supplierSkuId: '600984068872', quantity: 1 }], recipient };
    const first = await tb.submitOrder(req);
    const second = await tb.submitOrder(req);
    expect(second.supplierOrderId).toBe(first.supplierOrderId);
  });

  it('submitOrder needs a recipient and says so without calling TOP', async () => {
    expect((await rejection(tb.submitOrder({ reference: 'X', lines: [{ supplierSkuId: '1', quantity: 1 }] }))).code).toBe('bad_request');
    expect(stub.calls).toHaveLength(0);
  });

  it('findOrder looks a lost order up by dist_order_no, and answers null when there is none', async () => {
    stub.replay('orders-get-by-dist-order-no');
    stub.replay('orders-get-none');
    expect((await tb.findOrder('WIRE-1'))?.reference).toBe('WIRE-1');
    expect(stub.calls[0]?.form.dist_order_no).toBe('WIRE-1');
    expect(await tb.findOrder('WIRE-never-sent')).toBeNull();
  });

  it('getOrder of a delivered order carries the carrier, waybill and the whole trace', async () => {
    stub.replay('orders-get-delivered');
    const id = wireSample('orders-get-delivered')[0]?.request.form.purchase_order_id ?? '';
    const order = await tb.getOrder(id);
    expect(order.status).toBe('delivered');
    expect(order.shipments).toHaveLength(1);
    const [shipment] = order.shipments;
    expect(shipment).toMatchObject({ carrier: 'ZTO', items: [{ supplierSkuId: '600984068872', quantity: 1 }] });
    expect(shipment?.events.map((e) => e.status)).toEqual(['picked_up', 'picked_up', 'in_transit', 'in_transit', 'out_for_delivery', 'delivered']);
    expect(stub.calls.map((c) => c.form.method)).toEqual(['taobao.fenxiao.orders.get', 'taobao.logistics.trace.search']);
  });

  it('cancelOrder closes an unshipped order; a shipped one is not_cancellable', async () => {
    stub.replay('order-close');
    stub.replay('error-order-not-closable');
    await expect(tb.cancelOrder('1')).resolves.toBeUndefined();
    const err = await rejection(tb.cancelOrder('2'));
    expect(err).toMatchObject({ code: 'not_cancellable', retryable: false, supplierCode: 'isv.order-not-closable' });
  });

  it('applyAfterSale and getAfterSale map refunds (TOP status 1 applied … 5 refunded)', async () => {
    stub.replay('refund-create');
    stub.replay('refund-get');
    const applied = await tb.applyAfterSale({ supplierOrderId: '1', supplierSkuId: '600984068872', quantity: 1, type: 'return', reason: '商品破损', reference: 'WIRE-RMA-1' });
    expect(stub.calls[0]?.form).toMatchObject({ dist_refund_no: 'WIRE-RMA-1', is_return_goods: 'true', num: '1', refund_desc: '商品破损' });
    expect(applied.status).toBe('pending');
    expect((await tb.getAfterSale(applied.afterSaleId)).status).toBe('refunded');
    expect((await rejection(tb.applyAfterSale({ supplierOrderId: '1', supplierSkuId: '1', quantity: 1, type: 'exchange', reason: '', reference: 'R' }))).code).toBe('rejected');
  });
});

describe('Taobao error codes', () => {
  const order = (c: SupplierConnector) => c.submitOrder({ reference: 'E', lines: [{ supplierSkuId: '600984068872', quantity: 1 }], recipient });
  const business = (sub_code: string) => ({ status: 200, body: { error_response: { code: 15, msg: 'Remote service error', sub_code, sub_msg: '…' } } });

  it.each([
    ['error-stock-not-enough', 'stockout'],
    ['error-item-off-shelf', 'not_sellable'],
    ['error-item-not-exist', 'not_sellable'],
    ['error-area-not-support', 'unserviceable_region'],
    ['error-bad-signature', 'bad_signature'],
  ])('maps the recorded %s to %s, once, without retrying', async (sample, code) => {
    for (const ex of wireSample(sample)) stub.reply('taobao.fenxiao.order.create', ex.response);
    const err = await rejection(order(tb));
    expect(err).toMatchObject({ code, retryable: false, outcomeUnknown: false });
    expect(stub.calls).toHaveLength(1);
  });

  it.each([
    [business('isv.refund-not-allowed'), 'rejected'],
    [business('isv.invalid-parameter'), 'bad_request'],
    [business('isv.something-new'), 'rejected'],
    [{ status: 200, body: { error_response: { code: 29, msg: 'Invalid app Key' } } }, 'auth_failed'],
    [{ status: 200, body: { error_response: { code: 22, msg: 'Invalid method' } } }, 'bad_request'],
    [{ status: 200, body: { something_else_response: {} } }, 'invalid_response'],
    [{ status: 200, body: { taobao_fenxiao_order_create_response: { purchase_order: { fenxiao_id: 1 } } } }, 'invalid_response'],
    [{ status: 400, text: '<html>bad gateway config</html>' }, 'invalid_response'],
  ])('maps %j to %s without retrying', async (reply, code) => {
    stub.reply('taobao.fenxiao.order.create', reply);
    expect(await rejection(order(tb))).toMatchObject({ code, retryable: false });
    expect(stub.calls).toHaveLength(1);
  });

  it('reads TOP envelopes keyed without the taobao. prefix, as live TOP sends them', async () => {
    const body = recorded<object>('orders-get-by-dist-order-no', 'taobao.fenxiao.orders.get');
    stub.reply('taobao.fenxiao.orders.get', { status: 200, body: { fenxiao_orders_get_response: body } });
    expect((await tb.findOrder('WIRE-1'))?.reference).toBe('WIRE-1');
  });
});
