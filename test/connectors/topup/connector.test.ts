import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { isSupplierError } from '../../../connectors/errors.ts';
import { parseUtc8Timestamp } from '../../../connectors/shared/timestamp.ts';
import { callbackSample, wireSample } from '../../../fixtures/wire/topup/samples.ts';
import { recordedConnector, sample, useRecordedPlatform } from './wire-server.ts';

const platform = useRecordedPlatform();
const connector = recordedConnector();
const region = { province: '北京', city: '北京市', district: '朝阳区' };
const phoneOrder = (reference: string) => ({ reference, lines: [{ supplierSkuId: 'CMCC-50', quantity: 1 }], rechargeAccount: '13800138000' });

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('expected the call to fail'),
    (err: unknown) => err,
  );
}

describe('top-up catalog and offers', () => {
  it('listCatalog pages product.list.get to the end, signing each call, and maps products to virtual SKUs', async () => {
    const items = [];
    const cursors = [];
    let cursor: string | null = null;
    do {
      const page = await connector.listCatalog({ cursor, limit: 500 });
      items.push(...page.items);
      cursors.push((cursor = page.nextCursor));
    } while (cursor);
    expect(cursors).toEqual(['2', '3', null]);
    expect(items).toHaveLength(233);
    expect(platform.calls.every((c) => c.signedOk && c.params.version === '2.0' && c.biz.page_size === 100)).toBe(true);
    expect(items.find((s) => s.supplierSkuId === 'CMCC-50')).toEqual({
      supplierSkuId: 'CMCC-50',
      title: '中国移动话费充值50元',
      brand: null,
      model: null,
      gtin: null,
      kind: 'virtual',
      categoryPath: ['话费充值', 'CMCC'],
      supplierCategoryId: 'phone_topup',
      images: [],
      attributes: { platform: 'CMCC' },
      marketPriceFen: 5000,
      costFen: 4831,
      onShelf: true,
      stock: null,
      virtual: { type: 'phone_topup', platform: 'CMCC', faceValueFen: 5000 },
      updatedAt: null,
    });
    expect(items.find((s) => s.supplierSkuId === 'CMCC-500')?.onShelf).toBe(false);
  });

  it('getOffers: on-shelf products are available while the balance covers them; off or unknown ones are not sellable', async () => {
    const offers = await connector.getOffers(['CMCC-50', 'CMCC-500', 'NO-SUCH-PRODUCT'], region);
    expect(offers).toEqual([
      { supplierSkuId: 'CMCC-50', costFen: 4831, stock: null, available: true, sellable: true },
      { supplierSkuId: 'CMCC-500', costFen: expect.any(Number), stock: null, available: false, sellable: false },
      { supplierSkuId: 'NO-SUCH-PRODUCT', costFen: null, stock: null, available: false, sellable: false },
    ]);
    expect(platform.calls.map((c) => c.params.method).sort()).toEqual(['balance.get', 'product.list.get']);
  });

  it('getOffers marks products unavailable (still sellable) when the prepaid balance is too low', async () => {
    platform.reply(({ params }) => (params.method === 'balance.get' ? HttpResponse.json({ code: '0000', message: 'success', data: { balance_fen: 1_000 } }) : undefined));
    const [offer] = await connector.getOffers(['CMCC-50'], region);
    expect(offer).toMatchObject({ available: false, sellable: true });
  });

  it('resolveRegion: every region is serviceable for virtual goods', async () => {
    expect(await connector.resolveRegion(region)).toEqual({ serviceable: true });
  });
});

describe('top-up orders', () => {
  it('submitOrder sends order.direct.add with the recharge account and maps the processing order', async () => {
    platform.reply(({ params }) => (params.method === 'order.direct.add' ? sample('order-direct-add') : undefined));
    const order = await recordedConnector().submitOrder(phoneOrder('H1-L1-1'));
    const add = platform.calls.find((c) => c.params.method === 'order.direct.add');
    expect(add?.biz).toEqual({ customer_order_no: 'H1-L1-1', product_id: 'CMCC-50', buy_num: 1, charge_account: '13800138000' });
    expect(order).toEqual({
      supplierOrderId: 'FULU2026112300000001',
      reference: 'H1-L1-1',
      status: 'processing',
      lines: [{ supplierSkuId: 'CMCC-50', quantity: 1, costFen: 4831 }],
      children: [],
      shipments: [],
      vouchers: [],
      freightFen: 0,
      updatedAt: '2026-11-23T01:33:03.000Z', // create_time 09:33:03 in UTC+8
    });
  });

  it('submitOrder answers the existing order for a repeated customer_order_no (2003), never an error', async () => {
    platform.reply(({ params }) => (params.method === 'order.direct.add' ? sample('order-direct-add-duplicate') : undefined));
    const order = await connector.submitOrder(phoneOrder('H1-L1-1'));
    expect(order.supplierOrderId).toBe('FULU2026112300000001');
    expect(platform.calls.filter((c) => c.params.method === 'order.direct.add')).toHaveLength(1);
  });

  it('submitOrder uses order.card.add for a voucher product, without an account', async () => {
    platform.reply(({ params }) => (params.method === 'order.card.add' ? sample('order-card-add') : undefined));
    const order = await connector.submitOrder({ reference: 'H1-L2-1', lines: [{ supplierSkuId: 'STARBUCKS-CARD-10', quantity: 2 }] });
    expect(platform.calls.find((c) => c.params.method === 'order.card.add')?.biz).toEqual({ customer_order_no: 'H1-L2-1', product_id: 'STARBUCKS-CARD-10', buy_num: 2 });
    expect(order).toMatchObject({ status: 'processing', vouchers: [], lines: [{ supplierSkuId: 'STARBUCKS-CARD-10', quantity: 2, costFen: 897 }] });
  });

  it('submitOrder refuses a phone top-up without a recharge account, or several lines, before calling the platform', async () => {
    const noAccount = await failure(recordedConnector().submitOrder({ reference: 'X', lines: [{ supplierSkuId: 'CMCC-50', quantity: 1 }] }));
    expect(isSupplierError(noAccount, 'bad_request')).toBe(true);
    const twoLines = await failure(connector.submitOrder({ ...phoneOrder('Y'), lines: [{ supplierSkuId: 'CMCC-50', quantity: 1 }, { supplierSkuId: 'CMCC-100', quantity: 1 }] }));
    expect(isSupplierError(twoLines, 'bad_request')).toBe(true);
    expect(platform.calls.filter((c) => c.params.method?.startsWith('order.'))).toHaveLength(0);
  });

  it('findOrder returns an issued voucher order with its codes decrypted', async () => {
    platform.reply(() => sample('order-info-card-success'));
    const order = await connector.findOrder('H1-L2-1');
    expect(platform.calls[0]?.biz).toEqual({ customer_order_no: 'H1-L2-1' });
    expect(order?.status).toBe('issued');
    expect(order?.vouchers).toHaveLength(2);
    for (const v of order?.vouchers ?? []) {
      expect(v.code).toMatch(/^\d{16}$/);
      expect(v.password).toMatch(/^\d{8}$/);
      expect(v.expiresAt).toBe('2027-11-23T01:33:33.000Z');
    }
  });

  it('findOrder answers null for an order the platform never received (2004)', async () => {
    platform.reply(() => sample('order-info-not-found'));
    expect(await connector.findOrder('H9-NEVER-SENT')).toBeNull();
  });

  it('getOrder looks up by order_id: success is issued, failed carries the recharge description, 2004 is not_found', async () => {
    platform.reply(() => sample('order-info-success'));
    expect(await connector.getOrder('FULU2026112300000001')).toMatchObject({ status: 'issued', vouchers: [], updatedAt: '2026-11-23T01:33:33.000Z' });
    expect(platform.calls[0]?.biz).toEqual({ order_id: 'FULU2026112300000001' });
    platform.reply(() => sample('order-info-failed'));
    expect(await connector.getOrder('FULU2026112300000003')).toMatchObject({ status: 'failed', failureReason: '充值号码格式错误' });
    platform.reply(() => sample('order-info-not-found'));
    expect(isSupplierError(await failure(connector.getOrder('NOPE')), 'not_found')).toBe(true);
  });

  it('a voucher blob that fails authentication is an invalid response, never a wrong code', async () => {
    const recorded = wireSample('order-info-card-success').response;
    const data = recorded.data as { cards: { card_number: string }[] };
    const tampered = { ...data, cards: data.cards.map((c) => ({ ...c, card_number: `A${c.card_number.slice(1)}` })) };
    platform.reply(() => HttpResponse.json({ ...recorded, data: tampered }));
    const err = await failure(connector.findOrder('H1-L2-1'));
    expect(isSupplierError(err, 'invalid_response')).toBe(true);
  });

  it('cancelOrder is not_cancellable and after-sales are rejected, without calling the platform; confirmOrder is a no-op', async () => {
    expect(isSupplierError(await failure(connector.cancelOrder('FULU2026112300000001')), 'not_cancellable')).toBe(true);
    expect(isSupplierError(await failure(connector.applyAfterSale()), 'rejected')).toBe(true);
    expect(isSupplierError(await failure(connector.getAfterSale('AS-1')), 'rejected')).toBe(true);
    await connector.confirmOrder('FULU2026112300000001');
    expect(platform.calls).toHaveLength(0);
    expect(connector.capabilities).toEqual({ kinds: ['virtual'], needsConfirm: false, cancelAfterConfirm: false, catalogUpdates: 'full-list' });
  });
});

describe('top-up result callbacks', () => {
  const success = callbackSample('callback-success');
  const sentAt = (raw: string) => parseUtc8Timestamp((JSON.parse(raw) as { timestamp: string }).timestamp) ?? new Date(NaN);
  const inbound = connector.inbound;
  if (inbound.mode !== 'webhook') throw new Error('top-up is a webhook supplier');

  it('verifies a recorded callback, keys it by order_id:order_status and parses order.issued', () => {
    const message = inbound.verify({ headers: {}, rawBody: success.rawBody }, sentAt(success.rawBody));
    expect(message).toEqual({ eventId: 'FULU2026112300000001:success', eventType: 'order.success', raw: success.rawBody });
    expect(inbound.parse(message)).toEqual([{ type: 'order.issued', supplierOrderId: 'FULU2026112300000001', reference: 'H1-L1-1', at: '2026-11-23T01:33:33.000Z' }]);
    expect(inbound.ack).toEqual({ status: 200, contentType: 'text/plain', body: 'success' });
  });

  it('parses a failed callback as order.failed with the recharge description', () => {
    const failed = callbackSample('callback-failed');
    const message = inbound.verify({ headers: {}, rawBody: failed.rawBody }, sentAt(failed.rawBody));
    expect(inbound.parse(message)).toEqual([
      { type: 'order.failed', supplierOrderId: 'FULU2026112300000003', reference: 'H1-L3-1', reason: '充值号码格式错误', at: '2026-11-23T01:33:33.000Z' },
    ]);
  });

  it.each([
    ['a tampered field', (raw: string) => raw.replace('H1-L1-1', 'H1-L1-2'), 0],
    ['a body that is not JSON', (raw: string) => raw.slice(1), 0],
    ['a callback more than 10 minutes old', (raw: string) => raw, 11 * 60_000],
  ])('rejects %s with bad_signature', (_name, change, lateMs) => {
    const now = new Date(sentAt(success.rawBody).getTime() + lateMs);
    const err = (() => {
      try {
        inbound.verify({ headers: {}, rawBody: change(success.rawBody) }, now);
      } catch (e) {
        return e;
      }
    })();
    expect(isSupplierError(err, 'bad_signature')).toBe(true);
  });
});
