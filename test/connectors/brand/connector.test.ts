import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { wireSample } from '../../../fixtures/wire/brand/samples.ts';
import { recordedConnector, sample, useRecordedBrand } from './wire-server.ts';

const brand = useRecordedBrand();
const connector = recordedConnector();
const beijing = { province: '北京', city: '北京市', district: '朝阳区' };
// The carrier names the sandbox's warehouses print, and what the hub must read them as.
const CARRIER_OF: Record<string, string> = { 'SF Express': 'SF', 京东物流: 'JD', 'ZTO Express': 'ZTO', 圆通速递: 'YTO', 'STO Express': 'STO', 韵达快递: 'YUNDA', EMS: 'EMS', 'Best Express': 'OTHER' };
const recipient = { name: '张三', phone: '13800138000', province: '北京市', city: '北京市', district: '朝阳区', address: '建国路 1 号' };

describe('brand catalog', () => {
  it('listCatalog sends the bearer key and a clamped limit, maps products and hands back the opaque cursor', async () => {
    const page = await connector.listCatalog({ limit: 6 });
    const call = brand.calls[0];
    expect(call?.headers.get('authorization')).toBe('Bearer rec-acme-key');
    expect(call?.query.get('limit')).toBe('6');
    expect(page.items.map((s) => s.supplierSkuId)).toEqual(['ACME-000001', 'ACME-000002', 'ACME-000003', 'ACME-000004', 'ACME-000005', 'ACME-000006']);
    expect(page.nextCursor).toBe(wireSample('products-page').response.body.nextCursor);
    const wire = wireSample('products-page').response.body.data[5];
    expect(page.items[5]).toEqual({
      supplierSkuId: 'ACME-000006',
      title: wire.title,
      brand: '爱康国宾',
      model: 'VQ-TJ-445',
      gtin: '6975230497569',
      kind: 'service',
      categoryPath: ['Local Services', 'Health Services', 'Health Checkups'],
      supplierCategoryId: 'local-services/health-services/health-checkups',
      images: wire.images,
      attributes: wire.attributes,
      marketPriceFen: 105900,
      costFen: 89998,
      onShelf: true,
      stock: 375,
      virtual: null,
      updatedAt: wire.updatedAt,
    });
    await connector.listCatalog({ limit: 10_000 });
    expect(brand.calls[1]?.query.get('limit')).toBe('500');
  });

  it('listCatalog sends updatedSince on the first page only; later pages follow the cursor', async () => {
    const since = new Date('2026-11-23T00:00:00Z');
    await connector.listCatalog({ updatedSince: since, limit: 6 });
    const next = await connector.listCatalog({ updatedSince: since, cursor: 'WzYsMCwtMV0', limit: 6 });
    expect(brand.calls[0]?.query.get('updatedSince')).toBe('2026-11-23T00:00:00.000Z');
    expect(brand.calls[1]?.query.get('updatedSince')).toBeNull();
    expect(brand.calls[1]?.query.get('cursor')).toBe('WzYsMCwtMV0');
    expect(next.items[0]?.supplierSkuId).toBe('ACME-000007');
  });

  it('getOffers asks live inventory by province code and marks unknown or inactive SKUs unsellable', async () => {
    const offers = await connector.getOffers(['ACME-000001', 'ACME-000018', 'ACME-000020', 'ACME-999999'], beijing);
    expect(brand.calls[0]?.query.get('province')).toBe('110000');
    expect(brand.calls[0]?.query.get('productIds')).toBe('ACME-000001,ACME-000018,ACME-000020,ACME-999999');
    expect(offers).toEqual([
      { supplierSkuId: 'ACME-000001', costFen: 42398, stock: 638, available: true, sellable: true },
      { supplierSkuId: 'ACME-000018', costFen: 18890, stock: 0, available: false, sellable: true },
      { supplierSkuId: 'ACME-000020', costFen: 19494, stock: 0, available: false, sellable: false },
      { supplierSkuId: 'ACME-999999', costFen: null, stock: 0, available: false, sellable: false },
    ]);
  });

  it('getOffers batches 100 ids per request', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `ACME-${String(i + 1).padStart(6, '0')}`);
    const offers = await connector.getOffers(ids, { province: '广西壮族自治区', city: '南宁市', district: '青秀区' });
    expect(offers).toHaveLength(250);
    expect(brand.calls.map((c) => c.query.get('productIds')?.split(',').length)).toEqual([100, 100, 50]);
    expect(brand.calls.every((c) => c.query.get('province') === '450000')).toBe(true);
  });

  it('a province the brand cannot place is unserviceable, without a call', async () => {
    const hk = { province: '香港特别行政区', city: '香港', district: '中西区' };
    expect(await connector.resolveRegion(hk)).toEqual({ serviceable: false });
    expect(await connector.resolveRegion({ ...beijing, province: '内蒙古' })).toEqual({ serviceable: true, supplierRegionId: '150000' });
    expect((await connector.getOffers(['ACME-000001'], hk))[0]?.sellable).toBe(false);
    expect(brand.calls).toHaveLength(0);
  });
});

describe('brand orders', () => {
  it('submitOrder posts the clientReference with an Idempotency-Key derived from it, and maps the accepted order', async () => {
    const order = await connector.submitOrder({ reference: 'H1-L1-1', lines: [{ supplierSkuId: 'ACME-000001', quantity: 1 }], recipient });
    const call = brand.calls[0];
    expect(call?.headers.get('idempotency-key')).toBe('order-H1-L1-1');
    expect(call?.headers.get('content-type')).toContain('application/json');
    expect(call?.body).toEqual({
      clientReference: 'H1-L1-1',
      items: [{ productId: 'ACME-000001', quantity: 1 }],
      shippingAddress: { name: '张三', phone: '13800138000', province: '北京市', city: '北京市', district: '朝阳区', line1: '建国路 1 号' },
      voucherPhone: '13800138000',
    });
    const wire = wireSample('order-created').response.body;
    expect(order).toEqual({
      supplierOrderId: wire.id,
      reference: 'H1-L1-1',
      status: 'accepted',
      lines: [{ supplierSkuId: 'ACME-000001', quantity: 1, costFen: 42398 }],
      children: [],
      shipments: [],
      vouchers: [],
      freightFen: 0,
      updatedAt: wire.updatedAt,
    });
  });

  it('submitOrder answers the existing order for a repeated clientReference (200), never an error', async () => {
    brand.reply(() => sample('order-existing'));
    const first = wireSample('order-created').response.body;
    const again = await connector.submitOrder({ reference: 'H1-L1-1', lines: [{ supplierSkuId: 'ACME-000001', quantity: 1 }], recipient });
    expect(again.supplierOrderId).toBe(first.id);
  });

  it('submitOrder maps a service order to issued with its e-voucher codes', async () => {
    brand.reply(() => sample('order-service-issued'));
    const order = await connector.submitOrder({ reference: 'H1-L2-1', lines: [{ supplierSkuId: 'ACME-000006', quantity: 2 }], rechargeAccount: '13800138000' });
    expect(brand.calls[0]?.body).toEqual({ clientReference: 'H1-L2-1', items: [{ productId: 'ACME-000006', quantity: 2 }], voucherPhone: '13800138000' });
    expect(order.status).toBe('issued');
    expect(order.shipments).toEqual([]);
    expect(order.vouchers).toHaveLength(2);
    expect(order.vouchers[0]).toEqual({ code: expect.stringMatching(/^ACME-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/), password: expect.stringMatching(/^\d{6}$/), expiresAt: expect.any(String) });
  });

  it('submitOrder maps a backorder', async () => {
    brand.reply(() => sample('order-backordered'));
    const order = await connector.submitOrder({ reference: 'H1-L3-1', lines: [{ supplierSkuId: 'ACME-000014', quantity: 20 }], recipient });
    expect(order.status).toBe('backordered');
  });

  it('getOrder maps the shipment with its carrier normalized and the tracking events', async () => {
    const wire = wireSample('order-delivered').response.body;
    const order = await connector.getOrder(wire.id);
    expect(brand.calls[0]?.path).toBe(`/v1/orders/${wire.id}`);
    expect(order.status).toBe('delivered');
    expect(order.shipments).toEqual([
      {
        carrier: CARRIER_OF[wire.shipments[0].carrier],
        trackingNo: wire.shipments[0].trackingNumber,
        items: [{ supplierSkuId: 'ACME-000001', quantity: 1 }],
        events: [
          { status: 'picked_up', at: wire.shipments[0].events[0].at, location: '品牌仓', description: '快件已揽收' },
          { status: 'in_transit', at: wire.shipments[0].events[1].at, description: '快件运输中' },
          { status: 'delivered', at: wire.shipments[0].events[2].at, description: '已签收' },
        ],
      },
    ]);
  });

  it('an in-transit order is shipped to the hub', async () => {
    const wire = wireSample('order-shipped').response.body;
    brand.reply(() => HttpResponse.json({ ...wire, status: 'in_transit' }));
    expect((await connector.getOrder(wire.id)).status).toBe('shipped');
  });

  it('findOrder looks the order up by clientReference, and answers null when the brand has none', async () => {
    const found = await connector.findOrder('H1-L1-1');
    expect(brand.calls[0]?.query.get('clientReference')).toBe('H1-L1-1');
    expect(found?.reference).toBe('H1-L1-1');
    expect(await connector.findOrder('H9-never-sent')).toBeNull();
  });

  it('cancelOrder posts to the cancel route with its own Idempotency-Key; confirmOrder calls nothing', async () => {
    await connector.cancelOrder('ACME-O-1');
    expect(brand.calls[0]?.path).toBe('/v1/orders/ACME-O-1/cancel');
    expect(brand.calls[0]?.headers.get('idempotency-key')).toBe('cancel-ACME-O-1');
    await connector.confirmOrder('ACME-O-1');
    expect(brand.calls).toHaveLength(1);
  });

  it('applyAfterSale posts a return keyed by the after-sale reference; getAfterSale maps its status', async () => {
    const created = wireSample('return-created').response.body;
    const applied = await connector.applyAfterSale({ supplierOrderId: created.orderId, supplierSkuId: 'ACME-000001', quantity: 1, type: 'return', reason: '商品破损', reference: 'H1-L1-1-R1' });
    expect(brand.calls[0]?.headers.get('idempotency-key')).toBe('return-H1-L1-1-R1');
    expect(brand.calls[0]?.body).toEqual({ orderId: created.orderId, clientReference: 'H1-L1-1-R1', type: 'return', items: [{ productId: 'ACME-000001', quantity: 1 }], reason: '商品破损' });
    expect(applied).toEqual({ afterSaleId: created.id, supplierOrderId: created.orderId, status: 'pending', updatedAt: created.updatedAt });
    expect((await connector.getAfterSale(created.id)).status).toBe('received');
  });
});
