import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSupplierError } from '../../../connectors/errors.ts';
import { APP_KEY, type Harness, startHarness } from './sandbox-harness.ts';

const region = { province: '上海', city: '上海市', district: '浦东新区' };
const phone = (reference: string, sku = 'CMCC-50') => ({ reference, lines: [{ supplierSkuId: sku, quantity: 1 }], rechargeAccount: '13800138000' });

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.stop());

async function post(body: unknown): Promise<{ code: string }> {
  const res = await fetch(`${h.url}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as { code: string };
}

describe('top-up sandbox: wire format', () => {
  it('answers a bad signature with 1001 in its envelope, and counts the call', async () => {
    const before = h.sandbox.requestCount();
    expect(await h.raw('balance.get', {}, 'wrong-secret')).toEqual({ code: '1001', message: '签名错误', data: null });
    expect(h.sandbox.requestCount()).toBe(before + 1);
  });

  it('answers missing parameters with 1000 and an unknown app_key with 1002', async () => {
    expect((await post({ method: 'balance.get' })).code).toBe('1000');
    expect((await post({ app_key: 'who', method: 'balance.get', timestamp: '2026-11-23 10:00:00', version: '2.0', biz_content: '{}', sign: 'x' })).code).toBe('1002');
    expect((await post({ app_key: APP_KEY, method: 'balance.get', timestamp: '2026-11-23 10:00:00', version: '1.0', biz_content: '{}', sign: 'x' })).code).toBe('1000');
  });

  it('serves product.list.get from the fixture list, by page or by ids', async () => {
    const page = (await h.raw('product.list.get', { page_no: 3, page_size: 100 })).data as { total: number; products: unknown[] };
    expect([page.total, page.products.length]).toEqual([233, 33]);
    const byIds = (await h.raw('product.list.get', { product_ids: ['CMCC-50', 'NOPE'] })).data as { products: { product_id: string }[] };
    expect(byIds.products.map((p) => p.product_id)).toEqual(['CMCC-50']);
  });

  it('keeps a prepaid balance: getOffers says unavailable and submit gets 2002 when it runs out, charging nothing', async () => {
    h.sandbox.setBalanceFen(1_000);
    expect(await h.connector.getOffers(['CMCC-50'], region)).toEqual([{ supplierSkuId: 'CMCC-50', costFen: 4831, stock: null, available: false, sellable: true }]);
    const err = await h.connector.submitOrder(phone('BAL-1')).catch((e: unknown) => e);
    expect(isSupplierError(err, 'insufficient_balance')).toBe(true);
    expect(h.sandbox.ledger()).toEqual([]);
    expect(h.sandbox.ordersFor('BAL-1')).toBe(0);
  });
});

describe('top-up sandbox: faults', () => {
  it('stockoutSkus answers 2001 out_of_stock for that product (stockout); an off-shelf product is not_sellable', async () => {
    h.sandbox.faults.set({ stockoutSkus: ['CMCC-50'] });
    expect(await h.raw('order.direct.add', { customer_order_no: 'SO-1', product_id: 'CMCC-50', charge_account: '13800138000', buy_num: 1 })).toMatchObject({
      code: '2001',
      data: { reason: 'out_of_stock' },
    });
    expect(isSupplierError(await h.connector.submitOrder(phone('SO-2')).catch((e: unknown) => e), 'stockout')).toBe(true);
    expect(isSupplierError(await h.connector.submitOrder(phone('SO-3', 'CMCC-500')).catch((e: unknown) => e), 'not_sellable')).toBe(true);
    expect(h.sandbox.ledger()).toEqual([]);
  });

  it('failNext answers 5000 system busy, which the connector retries', async () => {
    h.sandbox.faults.set({ failNext: 2 });
    const before = h.sandbox.requestCount();
    expect(await h.connector.balanceFen()).toBe(10_000_000);
    expect(h.sandbox.requestCount() - before).toBe(3);
  });

  it('rate limits in its own form: 1003 with retry_after', async () => {
    h.sandbox.faults.set({ rateLimitPerSec: 1 });
    await h.raw('balance.get', {});
    expect(await h.raw('balance.get', {})).toEqual({ code: '1003', message: '调用频率超限', data: { retry_after: 1 } });
  });

  it('hangs when told to: a read times out, is retried, and fails as a known outcome', async () => {
    h.sandbox.faults.set({ hangRate: 1 });
    const before = h.sandbox.requestCount();
    const err = await h.connector.balanceFen().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'timeout', outcomeUnknown: false });
    expect(h.sandbox.requestCount() - before).toBe(4); // first try + 3 retries
  });

  it('adds latency to every answer', async () => {
    h.sandbox.faults.set({ latencyMs: 120 });
    const started = Date.now();
    await h.connector.balanceFen();
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });
});

describe('top-up sandbox: control routes', () => {
  it('sets faults and balance and shows the ledger under /sandbox, without counting them as API calls', async () => {
    const put = (path: string, body: unknown) => fetch(`${h.url}/sandbox/${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put('faults', { failNext: 1 })).status).toBe(200);
    expect(h.sandbox.faults.config.failNext).toBe(1);
    h.sandbox.faults.reset();
    expect((await put('balance', { balance_fen: 50_000 })).status).toBe(200);
    expect((await put('balance', { balance_fen: 'lots' })).status).toBe(400);
    await h.connector.submitOrder(phone('CTL-1'));
    const ledger = (await (await fetch(`${h.url}/sandbox/ledger`)).json()) as { balance_fen: number; entries: { kind: string; amountFen: number }[] };
    expect(ledger).toEqual({ balance_fen: 50_000 - 4831, entries: [expect.objectContaining({ kind: 'charge', customerOrderNo: 'CTL-1', amountFen: 4831, balanceAfterFen: 50_000 - 4831 })] });
    expect(h.sandbox.requestCount()).toBe(2); // product lookup + order.direct.add
  });
});
