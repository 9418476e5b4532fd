import { describe, expect, it } from 'vitest';
import type { SupplierOrderRequest } from '../../../connectors/connector.ts';
import type { JdMessage } from '../../../connectors/jd/mapper.ts';
import { signJd } from '../../../connectors/jd/sign.ts';
import { BEIJING, CREDS, connector, jdWire, resultOf, sample } from './wire-server.ts';

const wire = jdWire();
const skuIds = (name: string) => (sample(name).params as { sku: string }).sku.split(',');
const offerSkus = skuIds('offers_biz_price_sellPrice_get');
const submitted = sample('submit_biz_order_unite_submit').params as { thirdOrder: string; sku: { skuId: number; num: number }[] };
const request = (reference = submitted.thirdOrder): SupplierOrderRequest => ({
  reference,
  lines: submitted.sku.map((s) => ({ supplierSkuId: String(s.skuId), quantity: s.num })),
  recipient: { name: '张三', phone: '13800138000', ...BEIJING, address: '建国路88号' },
});

describe('JdConnector requests', () => {
  it('signs every call with MD5 over the sorted parameters, v=2.0 and a UTC+8 timestamp', async () => {
    wire.answer('biz.price.sellPrice.get', 'offers_biz_price_sellPrice_get');
    wire.answer('biz.stock.fororder.batget', 'offers_biz_stock_fororder_batget');
    await connector().getOffers(offerSkus, BEIJING);
    expect(wire.seen.length).toBeGreaterThan(0);
    for (const { params } of wire.seen) {
      const { sign, ...rest } = params;
      expect(sign).toBe(signJd(rest, CREDS.appSecret));
      expect(params).toMatchObject({ app_key: CREDS.appKey, v: '2.0', access_token: 'tok-1' });
      expect(params.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    }
  });

  it('asks price and stock in batches of at most 100 SKUs', async () => {
    wire.answer('biz.price.sellPrice.get', 'offers_biz_price_sellPrice_get');
    wire.answer('biz.stock.fororder.batget', 'offers_biz_stock_fororder_batget');
    await connector().getOffers(Array.from({ length: 250 }, (_, i) => String(100_000_000_000 + i)), BEIJING);
    const prices = wire.calls('biz.price.sellPrice.get').map((c) => JSON.parse(c.params['360buy_param_json'] ?? '{}').sku.split(',').length);
    expect(prices).toEqual([100, 100, 50]);
    expect(wire.calls('biz.stock.fororder.batget').map((c) => JSON.parse(c.params['360buy_param_json'] ?? '{}').skuNums.length)).toEqual([100, 100, 50]);
  });
});

describe('JdConnector catalog and offers', () => {
  it('composes a catalog page from pool SKUs, details, prices and Beijing 朝阳 stock, in integer fen', async () => {
    for (const m of ['biz.product.PageNum.query', 'biz.product.sku.query', 'biz.product.detail.query', 'biz.price.sellPrice.get', 'biz.stock.fororder.batget']) wire.answer(m, `catalog_${m.replaceAll('.', '_')}`);
    const page = await connector().listCatalog({ limit: 100 });
    expect(page.items).toHaveLength(100);
    const detail = resultOf<{ sku: number; name: string; upc: string }[]>('catalog_biz_product_detail_query')[0];
    const price = resultOf<{ skuId: number; price: string }[]>('catalog_biz_price_sellPrice_get')[0];
    const first = page.items[0];
    expect(first).toMatchObject({ supplierSkuId: String(detail?.sku), title: detail?.name, gtin: detail?.upc, kind: 'physical' });
    expect(first?.costFen).toBe(Math.round(Number(price?.price) * 100));
    expect(first?.categoryPath).toHaveLength(3);
    expect(page.nextCursor).not.toBeNull();
    expect(JSON.parse(wire.calls('biz.stock.fororder.batget')[0]?.params['360buy_param_json'] ?? '{}').area).toBe('1_101_10101');
  });

  it('answers offers for the mapped area; stockStateId 40 (not deliverable there) is not sellable', async () => {
    wire.answer('biz.price.sellPrice.get', 'offers_biz_price_sellPrice_get');
    wire.answer('biz.stock.fororder.batget', 'offers_biz_stock_fororder_batget');
    const offers = await connector().getOffers(offerSkus, BEIJING);
    expect(offers.every((o) => o.sellable && o.available && Number.isInteger(o.costFen) && (o.stock ?? 0) > 0)).toBe(true);
    wire.answer('biz.price.sellPrice.get', 'offers-remote_biz_price_sellPrice_get');
    wire.answer('biz.stock.fororder.batget', 'offers-remote_biz_stock_fororder_batget');
    const heavy = skuIds('offers-remote_biz_price_sellPrice_get');
    const [remote] = await connector().getOffers(heavy, { province: '新疆维吾尔自治区', city: '乌鲁木齐', district: '天山区' });
    expect(remote).toMatchObject({ supplierSkuId: heavy[0], sellable: false, available: false });
    expect(JSON.parse(wire.calls('biz.stock.fororder.batget')[1]?.params['360buy_param_json'] ?? '{}').area).toBe('31_3101_310101');
  });

  it('maps names to JD area ids, tolerating suffixes, aliases and a town, and caches the tree', async () => {
    const c = connector();
    expect(await c.resolveRegion(BEIJING)).toEqual({ serviceable: true, supplierRegionId: '1_101_10101' });
    expect(await c.resolveRegion({ province: '北京市', city: '北京', district: '朝阳' })).toEqual({ serviceable: true, supplierRegionId: '1_101_10101' });
    expect(await c.resolveRegion({ province: '北京', city: '朝阳区', district: '' })).toEqual({ serviceable: true, supplierRegionId: '1_101_10101' });
    expect(await c.resolveRegion({ ...BEIJING, town: '三里屯' })).toEqual({ serviceable: true, supplierRegionId: '1_101_10101_1010102' });
    expect(await c.resolveRegion({ ...BEIJING, district: '火星区' })).toEqual({ serviceable: false });
    expect(await c.resolveRegion({ province: '火星', city: 'x', district: 'y' })).toEqual({ serviceable: false });
    expect(wire.calls('biz.address.allProvinces.query')).toHaveLength(1);
    expect(wire.calls('biz.address.countysByCityId.query')).toHaveLength(1);
  });
});

describe('JdConnector orders', () => {
  it('submits with submitState=0 and maps the answer to a pending order in fen', async () => {
    wire.answer('biz.order.unite.submit', 'submit_biz_order_unite_submit');
    const order = await connector().submitOrder(request());
    expect(order).toMatchObject({ reference: submitted.thirdOrder, status: 'pending_confirmation', children: [] });
    expect(order.lines.map((l) => l.supplierSkuId)).toEqual(submitted.sku.map((s) => String(s.skuId)));
    expect(order.lines.every((l) => Number.isInteger(l.costFen))).toBe(true);
    const sent = JSON.parse(wire.calls('biz.order.unite.submit')[0]?.params['360buy_param_json'] ?? '{}');
    expect(sent).toMatchObject({ thirdOrder: submitted.thirdOrder, submitState: 0, province: 1, city: 101, county: 10101, town: 0 });
  });

  it('submitOrder answers the existing order for a repeated thirdOrder (0008)', async () => {
    wire.answer('biz.order.unite.submit', 'submit_biz_order_unite_submit');
    const first = await connector().submitOrder(request());
    wire.answer('biz.order.unite.submit', 'duplicate_biz_order_unite_submit');
    wire.answer('biz.order.jdOrder.query', 'duplicate_biz_order_jdOrder_query');
    const again = await connector().submitOrder(request());
    expect(again.supplierOrderId).toBe(first.supplierOrderId);
    expect(again.reference).toBe(first.reference);
  });

  it('finds an order by thirdOrder, or null when JD has none', async () => {
    wire.answer('biz.order.jdOrderIDByThridOrderID.query', 'find_biz_order_jdOrderIDByThridOrderID_query');
    wire.answer('biz.order.jdOrder.query', 'find_biz_order_jdOrder_query');
    expect((await connector().findOrder(submitted.thirdOrder))?.reference).toBe(submitted.thirdOrder);
    wire.answer('biz.order.jdOrderIDByThridOrderID.query', 'find-missing_biz_order_jdOrderIDByThridOrderID_query');
    expect(await connector().findOrder('H9-L9-9')).toBeNull();
  });

  it('maps a split order through accepted, partially shipped and delivered, one JD waybill per child', async () => {
    wire.answer('biz.order.jdOrder.query', 'split_biz_order_jdOrder_query', 'partially-shipped_biz_order_jdOrder_query', 'delivered_biz_order_jdOrder_query');
    const c = connector();
    const split = await c.getOrder('1');
    expect(split.status).toBe('accepted');
    expect(split.children.map((ch) => ch.lines.length)).toEqual([1, 1]);
    const partial = await c.getOrder('1');
    expect(partial.status).toBe('partially_shipped');
    expect(partial.children.map((ch) => ch.status)).toEqual(['shipped', 'accepted']);
    const delivered = await c.getOrder('1');
    expect(delivered.status).toBe('delivered');
    expect(delivered.shipments.map((s) => s.carrier)).toEqual(['JD', 'JD']);
    expect(new Set(delivered.shipments.map((s) => s.trackingNo)).size).toBe(2);
    expect(delivered.shipments[0]?.events.map((e) => e.status)).toEqual(['picked_up', 'in_transit', 'delivered']);
    expect(delivered.shipments[0]?.events[0]?.at).toMatch(/Z$/);
  });

  it('maps a single line of two units split into two children of one unit each', async () => {
    wire.answer('biz.order.jdOrder.query', 'split-quantity_biz_order_jdOrder_query');
    const order = await connector().getOrder('1');
    expect(order.lines).toHaveLength(1);
    expect(order.children.map((c) => c.lines.map((l) => l.quantity))).toEqual([[1], [1]]);
  });

  it('applies for an after-sale and maps its steps', async () => {
    wire.answer('biz.afterSale.apply', 'after-sale_biz_afterSale_apply');
    const applied = await connector().applyAfterSale({ supplierOrderId: '1', supplierSkuId: offerSkus[0] ?? '', quantity: 1, type: 'return', reason: '质量问题', reference: 'AS-1' });
    expect(applied.status).toBe('pending');
    expect(JSON.parse(wire.calls('biz.afterSale.apply')[0]?.params['360buy_param_json'] ?? '{}')).toMatchObject({ customerExpect: 10, thirdApplyId: 'AS-1' });
    wire.answer('biz.afterSale.status', 'after-sale-done_biz_afterSale_status');
    expect(await connector().getAfterSale(applied.afterSaleId)).toMatchObject({ afterSaleId: applied.afterSaleId, status: 'completed' });
  });
});

describe('JdConnector message pool', () => {
  it('fetches the asked types, parses every message type into events, and deletes by id', async () => {
    wire.answer('biz.message.get', 'messages_biz_message_get');
    wire.answer('biz.message.del', 'messages_biz_message_del');
    const c = connector();
    if (c.inbound.mode !== 'poll') throw new Error('JD is polled');
    const messages = await c.inbound.fetch([1, 2, 4, 5, 6, 10, 12, 14, 16, 31]);
    expect(JSON.parse(wire.calls('biz.message.get')[0]?.params['360buy_param_json'] ?? '{}').type).toBe('1,2,4,5,6,10,12,14,16,31');
    // The first message of each type, raw and parsed.
    const firstOf = (type: string) => messages.find((m) => m.eventType === type) ?? { eventId: '', eventType: type, raw: '{}' };
    const raw = (type: string) => JSON.parse(firstOf(type).raw) as JdMessage;
    const byType = { get: (type: string) => (c.inbound.mode === 'poll' ? c.inbound.parse(firstOf(type)) : []) };
    expect(byType.get('1')?.[0]).toMatchObject({ type: 'order.split', supplierOrderId: String(raw('1').result.pOrder), childOrderIds: (raw('1').result.cOrders as number[]).map(String) });
    expect(byType.get('12')?.[0]).toMatchObject({ type: 'order.shipped', supplierOrderId: String(raw('12').result.pOrder), shipment: { carrier: 'JD', trackingNo: raw('12').result.waybill } });
    expect(byType.get('5')?.[0]).toMatchObject({ type: 'order.delivered', trackingNo: raw('5').result.waybill });
    expect(byType.get('10')?.[0]).toMatchObject({ type: 'order.cancelled' });
    expect(byType.get('14')?.[0]).toMatchObject({ type: 'order.updated', status: 'failed' });
    expect(byType.get('31')?.[0]).toMatchObject({ type: 'aftersale.updated', status: 'pending' });
    expect(byType.get('2')?.[0]).toMatchObject({ type: 'catalog.changed', change: 'price', supplierSkuIds: [String(raw('2').result.skuId)] });
    expect(byType.get('4')?.[0]).toMatchObject({ type: 'catalog.changed', change: 'listing' });
    expect(byType.get('6')?.[0]).toMatchObject({ type: 'catalog.changed', change: 'pool' });
    expect(byType.get('16')?.[0]).toMatchObject({ type: 'catalog.changed', change: 'product' });
    expect(byType.get('1')?.[0]?.at).toBe(new Date(`${raw('1').time.replace(' ', 'T')}+08:00`).toISOString());
    await c.inbound.acknowledge(messages.slice(0, 2).map((m) => m.eventId));
    expect(JSON.parse(wire.calls('biz.message.del')[0]?.params['360buy_param_json'] ?? '{}').id).toBe(messages.slice(0, 2).map((m) => m.eventId).join(','));
  });
});
