import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrandConnector } from '../../../connectors/brand/index.ts';
import { isSupplierError, type SupplierError } from '../../../connectors/errors.ts';
import { BEIJING, type BrandRig, findSku, startBrandRig } from './harness.ts';

const SEED = 5;
const SKUS = 300;
let rig: BrandRig;
let n = 0;
const ref = (label: string) => `FLT-${label}-${Date.now().toString(36)}-${++n}`;
beforeAll(async () => {
  rig = await startBrandRig({ id: 'brand-lumen', seed: SEED, skus: SKUS });
});
afterAll(() => rig.stop());
afterEach(() => rig.sandbox.faults.reset());

const sku = () => findSku('brand-lumen', { seed: SEED, skus: SKUS, kind: 'physical' });
const order = (reference: string, recipient = BEIJING) => ({ reference, lines: [{ supplierSkuId: sku(), quantity: 1 }], recipient });
const failure = (p: Promise<unknown>): Promise<SupplierError> =>
  p.then(
    () => expect.unreachable('expected the call to fail'),
    (err: unknown) => {
      expect(isSupplierError(err)).toBe(true);
      return err as SupplierError;
    },
  );
const api = (path: string, init: RequestInit & { key?: string } = {}) =>
  fetch(`${rig.baseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${init.key ?? rig.sandbox.credentials.apiKey}`, 'content-type': 'application/json', ...init.headers } });

describe('brand sandbox faults', () => {
  it('empties a region named in stockoutRegions (by name or code) and leaves the others', async () => {
    rig.sandbox.faults.set({ stockoutRegions: ['北京'] });
    expect((await rig.connector.getOffers([sku()], BEIJING))[0]).toMatchObject({ stock: 0, available: false, sellable: true });
    expect(await failure(rig.connector.submitOrder(order(ref('region'))))).toMatchObject({ code: 'stockout' });
    const shanghai = { ...BEIJING, province: '上海', city: '上海市', district: '浦东新区' };
    rig.sandbox.faults.set({ stockoutRegions: ['110000'] });
    expect((await rig.connector.getOffers([sku()], BEIJING))[0]?.stock).toBe(0);
    expect((await rig.connector.getOffers([sku()], shanghai))[0]?.stock).toBeGreaterThan(0);
  });

  it('refuses an address it cannot place as address_unserviceable', async () => {
    const hk = { ...BEIJING, province: '香港特别行政区' };
    expect(await failure(rig.connector.submitOrder(order(ref('hk'), hk)))).toMatchObject({ code: 'unserviceable_region' });
  });

  it('rate-limits in its own form: 429, Retry-After, error type rate_limited', async () => {
    rig.sandbox.faults.set({ rateLimitPerSec: 1 });
    await api('/v1/products?limit=1');
    const res = await api('/v1/products?limit=1');
    expect([res.status, res.headers.get('retry-after'), await res.json()]).toEqual([429, '1', { error: { type: 'rate_limited', message: 'Too many requests' } }]);
  });

  it('hangs when told to, so a read times out', async () => {
    rig.sandbox.faults.set({ hangRate: 1 });
    const quick = new BrandConnector({ id: 'brand-lumen', baseUrl: rig.baseUrl, credentials: { apiKey: rig.sandbox.credentials.apiKey ?? '', webhookSecret: '' }, timeoutMs: 100, resilience: { retries: 0 } });
    expect(await failure(quick.listCatalog({ limit: 1 }))).toMatchObject({ code: 'timeout', outcomeUnknown: false });
  });

  it('adds latency', async () => {
    rig.sandbox.faults.set({ latencyMs: 120 });
    const started = Date.now();
    await rig.connector.listCatalog({ limit: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });
});

describe('brand Idempotency-Key', () => {
  const body = (reference: string) => JSON.stringify({ clientReference: reference, items: [{ productId: sku(), quantity: 1 }], shippingAddress: { ...BEIJING, line1: BEIJING.address } });

  it('replays the first answer for the same key and refuses the key with another request', async () => {
    const reference = ref('key');
    const first = await api('/v1/orders', { method: 'POST', headers: { 'idempotency-key': `k-${reference}` }, body: body(reference) });
    const replay = await api('/v1/orders', { method: 'POST', headers: { 'idempotency-key': `k-${reference}` }, body: body(reference) });
    expect([first.status, replay.status, replay.headers.get('idempotent-replayed')]).toEqual([201, 201, 'true']);
    expect(await replay.json()).toEqual(await first.json());
    const other = await api('/v1/orders', { method: 'POST', headers: { 'idempotency-key': `k-${reference}` }, body: body(`${reference}-x`) });
    expect([other.status, ((await other.json()) as { error: { type: string } }).error.type]).toEqual([422, 'idempotency_key_reused']);
    const missing = await api('/v1/orders', { method: 'POST', body: body(ref('nokey')) });
    expect(missing.status).toBe(400);
  });

  it('forgets keys after 24 h of sandbox time, while the clientReference still answers the existing order', async () => {
    const reference = ref('old');
    const first = (await (await api('/v1/orders', { method: 'POST', headers: { 'idempotency-key': `k-${reference}` }, body: body(reference) })).json()) as { id: string };
    await rig.clock.advance(25 * 3600_000);
    const later = await api('/v1/orders', { method: 'POST', headers: { 'idempotency-key': `k-${reference}` }, body: body(reference) });
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect([later.status, ((await later.json()) as { id: string }).id]).toEqual([200, first.id]);
    expect(rig.sandbox.ordersFor(reference)).toBe(1);
  });
});
