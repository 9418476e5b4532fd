import type {
  AfterSale, AfterSaleRequest, CatalogPage, CatalogQuery, ConnectorCapabilities, ConnectorHealth, InboundMessage, Offer, PollInbound, Region,
  SupplierConnector, SupplierOrder, SupplierOrderRequest, SupplierSku,
} from '../connector.ts';
import { SupplierError } from '../errors.ts';
import { type ResilienceOptions, SupplierCaller } from '../shared/resilience.ts';
import { JdAreaResolver } from './areas.ts';
import { type JdCredentials, JdClient } from './client.ts';
import { type JdAfterSaleBody, type JdDetail, type JdMessage, type JdOrderBody, type JdPrice, type JdStock, toAfterSale, toEvents, toOffer, toOrder, toSku } from './mapper.ts';
import { JD_DEFAULT_AREA_NAMES, JD_MESSAGE, JD_METHODS as M, JD_RESULT } from './methods.ts';

export type { JdCredentials } from './client.ts';

/** How to reach one JD VOP account. */
export interface JdConnectorOptions {
  id?: string;
  baseUrl: string;
  credentials: JdCredentials;
  timeoutMs: number;
  resilience?: Partial<ResilienceOptions>;
  /** Clock for request timestamps (JD rejects more than 10 minutes off). */
  now?: () => Date;
}

const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));
const encode = (c: { pool: number; page: number }) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decode(cursor: string): { pool: number; page: number } {
  const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { pool?: unknown; page?: unknown };
  if (!Number.isInteger(v.pool) || !Number.isInteger(v.page)) throw new Error('bad cursor');
  return v as { pool: number; page: number };
}

/**
 * The JD VOP connector: product pools composed into catalog pages (detail, price and Beijing stock
 * per 100 SKUs), area stock by JD area id, two-phase orders (submit with stock pre-occupied, then
 * confirm), child orders after a split, after-sales, and the message pool as its inbound.
 */
export class JdConnector implements SupplierConnector {
  readonly id: string;
  readonly kind = 'jd' as const;
  readonly capabilities: ConnectorCapabilities = { kinds: ['physical', 'service'], needsConfirm: true, cancelAfterConfirm: false, catalogUpdates: 'message-pool' };
  readonly inbound: PollInbound;
  readonly #client: JdClient;
  readonly #caller: SupplierCaller;
  readonly #areas: JdAreaResolver;
  #pools: Promise<string[]> | null = null;

  constructor(opts: JdConnectorOptions) {
    this.id = opts.id ?? 'jd';
    this.#client = new JdClient({ supplier: this.id, baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs, credentials: opts.credentials, now: opts.now ?? (() => new Date()) });
    this.#caller = new SupplierCaller(this.id, opts.resilience, opts.now);
    this.#areas = new JdAreaResolver((method, params) => this.#read(method, params));
    this.inbound = {
      mode: 'poll',
      catalogTypes: [JD_MESSAGE.PRICE, JD_MESSAGE.LISTING, JD_MESSAGE.POOL, JD_MESSAGE.PRODUCT],
      orderTypes: [JD_MESSAGE.SPLIT, JD_MESSAGE.SHIPPED, JD_MESSAGE.DELIVERED, JD_MESSAGE.CANCELLED, JD_MESSAGE.PAYMENT_FAILED, JD_MESSAGE.AFTER_SALE],
      fetch: async (types) => (await this.#read<JdMessage[]>(M.messages, { type: types.join(',') })).map((m) => ({ eventId: m.id, eventType: String(m.type), raw: JSON.stringify(m) })),
      acknowledge: async (ids) => {
        if (ids.length) await this.#caller.call(() => this.#client.ok(M.deleteMessages, { id: ids.join(',') }, { write: false }));
      },
      parse: (m: InboundMessage) => toEvents(m),
    };
  }

  #read<T>(method: string, params: unknown): Promise<T> {
    return this.#caller.call(() => this.#client.ok<T>(method, params, { write: false }));
  }

  async listCatalog(q: CatalogQuery): Promise<CatalogPage> {
    // JD has no "modified since" listing: incremental changes arrive as pool messages (types 2, 4, 6, 16).
    this.#pools ??= this.#read<{ page_num: string }[]>(M.pools, {}).then((ps) => ps.map((p) => p.page_num));
    const pools = await this.#pools;
    let at: { pool: number; page: number };
    try {
      at = q.cursor ? decode(q.cursor) : { pool: 0, page: 1 };
    } catch (err) {
      throw new SupplierError(this.id, 'bad_request', 'invalid catalog cursor', { cause: err });
    }
    const pageSize = Math.min(500, Math.max(100, q.limit ?? 500));
    const pool = pools[at.pool];
    if (!pool) return { items: [], nextCursor: null };
    const { skuIds, pageCount } = await this.#read<{ skuIds: number[]; pageCount: number }>(M.poolSkus, { pageNum: pool, pageNo: at.page, pageSize });
    const next = at.page < pageCount ? { pool: at.pool, page: at.page + 1 } : at.pool + 1 < pools.length ? { pool: at.pool + 1, page: 1 } : null;
    const items = await this.getSkus(skuIds.map(String));
    return { items, nextCursor: next ? encode(next) : null };
  }

  /**
   * A pool's pages are numbered: the guess is the next pages of the same pool (at a pool's end the
   * page reader sees the real next cursor differ, and goes on from it).
   */
  cursorsAfter(q: CatalogQuery, count: number): string[] {
    let at: { pool: number; page: number };
    try {
      at = q.cursor ? decode(q.cursor) : { pool: 0, page: 1 };
    } catch {
      return [];
    }
    return Array.from({ length: Math.max(0, count) }, (_, i) => encode({ pool: at.pool, page: at.page + 1 + i }));
  }

  /** Detail, price and default-area stock of SKUs, 100 per call (how pool pages and pool messages are read). */
  async getSkus(skuIds: readonly string[]): Promise<SupplierSku[]> {
    const area = await this.#areas.resolve(JD_DEFAULT_AREA_NAMES);
    const batches = await Promise.all(chunks(skuIds, 100).map(async (ids) => {
      const sku = ids.join(',');
      const [details, prices, stock] = await Promise.all([
        this.#read<JdDetail[]>(M.details, { sku }),
        this.#read<JdPrice[]>(M.prices, { sku }),
        area ? this.#read<JdStock[]>(M.stock, { area, skuNums: ids.map((skuId) => ({ skuId: Number(skuId), num: 1 })) }) : Promise.resolve([]),
      ]);
      const priceOf = new Map(prices.map((p) => [String(p.skuId), p]));
      const stockOf = new Map(stock.map((s) => [String(s.skuId), s]));
      return details.map((d) => toSku(d, priceOf.get(String(d.sku)), stockOf.get(String(d.sku)))).filter((s) => s !== null);
    }));
    return batches.flat();
  }

  async getOffers(skuIds: readonly string[], region: Region): Promise<Offer[]> {
    const area = await this.#areas.resolve(region);
    if (!area) return skuIds.map((id) => ({ supplierSkuId: id, costFen: null, stock: null, available: false, sellable: false }));
    const out = await Promise.all(chunks(skuIds, 100).map(async (ids) => {
      const [prices, stock] = await Promise.all([
        this.#read<JdPrice[]>(M.prices, { sku: ids.join(',') }),
        this.#read<JdStock[]>(M.stock, { area, skuNums: ids.map((skuId) => ({ skuId: Number(skuId), num: 1 })) }),
      ]);
      const priceOf = new Map(prices.map((p) => [String(p.skuId), p]));
      const stockOf = new Map(stock.map((s) => [String(s.skuId), s]));
      return ids.map((id) => toOffer(id, priceOf.get(id), stockOf.get(id)));
    }));
    return out.flat();
  }

  async resolveRegion(region: Region): Promise<{ serviceable: boolean; supplierRegionId?: string }> {
    const area = await this.#areas.resolve(region);
    return area ? { serviceable: true, supplierRegionId: area } : { serviceable: false };
  }

  async submitOrder(req: SupplierOrderRequest): Promise<SupplierOrder> {
    const r = req.recipient;
    if (!r) throw new SupplierError(this.id, 'bad_request', 'JD orders need a recipient');
    const area = await this.#areas.resolve(r);
    if (!area) throw new SupplierError(this.id, 'unserviceable_region', `no JD area for ${r.province}/${r.city}/${r.district}`);
    const [province, city, county, town = 0] = area.split('_').map(Number);
    // submitState=0: JD pre-occupies the stock and waits for occupyStock.confirm (our second phase).
    const body = {
      thirdOrder: req.reference, sku: req.lines.map((l) => ({ skuId: Number(l.supplierSkuId), num: l.quantity })),
      name: r.name, mobile: r.phone, province, city, county, town, address: r.address, submitState: 0, invoiceState: 2, paymentType: 4,
    };
    const res = await this.#caller.call(() => this.#client.call<JdOrderBody | { jdOrderId: number }>(M.submit, body, { write: true }), { write: true });
    if (res.success) return toOrder(res.result as JdOrderBody);
    // A repeated thirdOrder answers the existing order's id: return that order, never a second one.
    if (res.resultCode === JD_RESULT.DUPLICATE_THIRD_ORDER) return this.getOrder(String((res.result as { jdOrderId: number }).jdOrderId));
    throw this.#client.businessError(M.submit, res);
  }

  async findOrder(reference: string): Promise<SupplierOrder | null> {
    const res = await this.#caller.call(() => this.#client.call<number>(M.findByThirdOrder, { thirdOrder: reference }, { write: false }));
    if (!res.success) {
      if (res.resultCode === JD_RESULT.ORDER_NOT_FOUND) return null;
      throw this.#client.businessError(M.findByThirdOrder, res);
    }
    return this.getOrder(String(res.result));
  }

  async confirmOrder(supplierOrderId: string): Promise<void> {
    // Confirming twice is harmless at JD, so a retry after a lost answer is safe.
    await this.#read(M.confirm, { jdOrderId: Number(supplierOrderId) });
  }

  async getOrder(supplierOrderId: string): Promise<SupplierOrder> {
    return toOrder(await this.#read<JdOrderBody>(M.order, { jdOrderId: Number(supplierOrderId) }));
  }

  async cancelOrder(supplierOrderId: string): Promise<void> {
    // Cancelling a cancelled order answers success at JD, so a retry after a lost answer is safe.
    await this.#read(M.cancel, { jdOrderId: Number(supplierOrderId) });
  }

  async applyAfterSale(req: AfterSaleRequest): Promise<AfterSale> {
    // customerExpect: 10 return for a refund (JD takes a claim's goods back too), 20 exchange;
    // pickwareType 4: JD picks the goods up. Idempotent on thirdApplyId, so retried like a read.
    const expect = req.type === 'exchange' ? 20 : 10;
    const r = await this.#caller.call(() => this.#client.ok<JdAfterSaleBody>(M.afterSaleApply, {
      jdOrderId: Number(req.supplierOrderId), skuId: Number(req.supplierSkuId), num: req.quantity, customerExpect: expect, pickwareType: 4, questionDesc: req.reason, questionPic: (req.photos ?? []).join(','), thirdApplyId: req.reference,
    }, { write: false }));
    return toAfterSale(r, req.supplierOrderId);
  }

  async getAfterSale(afterSaleId: string): Promise<AfterSale> {
    const r = await this.#read<JdAfterSaleBody>(M.afterSaleStatus, { afsServiceId: Number(afterSaleId) });
    return { ...toAfterSale(r, ''), afterSaleId };
  }

  health(): ConnectorHealth {
    return this.#caller.health();
  }
}
