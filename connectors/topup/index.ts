import type {
  AfterSale,
  CatalogPage,
  CatalogQuery,
  ConnectorCapabilities,
  ConnectorHealth,
  Offer,
  Region,
  SupplierConnector,
  SupplierOrder,
  SupplierOrderRequest,
  WebhookInbound,
} from '../connector.ts';
import type { z } from 'zod';
import { isSupplierError, SupplierError } from '../errors.ts';
import { type ResilienceOptions, SupplierCaller } from '../shared/resilience.ts';
import { type TopupCredentials, TopupClient } from './client.ts';
import { topupInbound } from './inbound.ts';
import { offerOf, orderOf, skuOf } from './mapper.ts';
import { BalanceData, MAX_PAGE_SIZE, ProductListData, TOPUP_METHODS, type WireProduct, WireOrder } from './wire.ts';

/** How to reach one top-up provider account ('topup-fulu', 'topup-yike', …: same platform API, own account). */
export interface TopupConnectorOptions {
  id: string;
  baseUrl: string;
  credentials: TopupCredentials;
  /** Per request; an order.*.add that times out has an unknown outcome. */
  timeoutMs: number;
  resilience?: Partial<ResilienceOptions>;
  now?: () => Date;
}

/**
 * A recharge platform (`topup/{provider}`): phone credit, data, memberships and voucher codes.
 * Orders are idempotent on `customer_order_no` (2003 answers the existing order); results arrive
 * by callback or by polling `order.info.get`. Providers cannot cancel and have no after-sales.
 */
export class TopupConnector implements SupplierConnector {
  readonly id: string;
  readonly kind = 'topup' as const;
  readonly capabilities: ConnectorCapabilities = { kinds: ['virtual'], needsConfirm: false, cancelAfterConfirm: false, catalogUpdates: 'full-list' };
  readonly inbound: WebhookInbound;
  readonly #client: TopupClient;
  readonly #caller: SupplierCaller;
  readonly #secret: string;
  // Product type decides order.card.add vs order.direct.add; a few hundred products, so all may stay.
  readonly #products = new Map<string, WireProduct>();

  constructor({ id, baseUrl, credentials, timeoutMs, resilience = {}, now = () => new Date() }: TopupConnectorOptions) {
    this.id = id;
    this.#secret = credentials.appSecret;
    this.#client = new TopupClient({ supplier: id, baseUrl, timeoutMs, credentials, now });
    this.#caller = new SupplierCaller(id, resilience, now);
    this.inbound = topupInbound(id, credentials.appSecret);
  }

  /** Pages `product.list.get`; the cursor is the next page number. The list has no change times, so `updatedSince` is ignored and a pull is always full. */
  async listCatalog(query: CatalogQuery): Promise<CatalogPage> {
    const pageNo = query.cursor ? Number(query.cursor) : 1;
    if (!Number.isInteger(pageNo) || pageNo < 1) throw new SupplierError(this.id, 'bad_request', `invalid catalog cursor ${query.cursor}`);
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, query.limit ?? MAX_PAGE_SIZE));
    const page = await this.#read(TOPUP_METHODS.productList, { page_no: pageNo, page_size: pageSize }, ProductListData);
    this.#remember(page.products);
    const more = page.products.length > 0 && pageNo * pageSize < page.total;
    return { items: page.products.map(skuOf), nextCursor: more ? String(pageNo + 1) : null };
  }

  /** Live cost and availability: on-shelf products are available while the prepaid balance covers their cost. */
  async getOffers(supplierSkuIds: readonly string[], _region: Region): Promise<Offer[]> {
    if (supplierSkuIds.length === 0) return [];
    const [products, balance] = await Promise.all([this.#fetchProducts(supplierSkuIds, { cached: false }), this.#read(TOPUP_METHODS.balance, {}, BalanceData)]);
    return supplierSkuIds.map((id) => offerOf(id, products.get(id), balance.balance_fen));
  }

  /** Virtual goods are delivered to an account, not an address: every region is serviceable. */
  async resolveRegion(_region: Region): Promise<{ serviceable: boolean }> {
    return { serviceable: true };
  }

  /** order.card.add for vouchers, order.direct.add (to `rechargeAccount`) for the rest; a repeated reference answers the existing order. */
  async submitOrder(req: SupplierOrderRequest): Promise<SupplierOrder> {
    const [line, ...rest] = req.lines;
    if (!line || rest.length > 0) throw new SupplierError(this.id, 'bad_request', 'a top-up order has exactly one line');
    const product = (await this.#fetchProducts([line.supplierSkuId], { cached: true })).get(line.supplierSkuId);
    if (!product) throw new SupplierError(this.id, 'not_sellable', `no product ${line.supplierSkuId}`);
    const biz: Record<string, unknown> = { customer_order_no: req.reference, product_id: product.product_id, buy_num: line.quantity };
    let method: string = TOPUP_METHODS.cardAdd;
    if (product.type !== 'voucher') {
      if (!req.rechargeAccount) throw new SupplierError(this.id, 'bad_request', `${product.type} needs a recharge account`);
      method = TOPUP_METHODS.directAdd;
      biz.charge_account = req.rechargeAccount;
    }
    // A 5000 is retried safely (nothing was processed, and a repeat is idempotent anyway); a timeout is not: findOrder first.
    const { data } = await this.#caller.call(() => this.#client.call(method, biz, WireOrder, { write: true }), { write: true });
    return orderOf(this.id, data, this.#secret);
  }

  /** The order for a `customer_order_no`, or null when the platform never received it. */
  async findOrder(reference: string): Promise<SupplierOrder | null> {
    try {
      return orderOf(this.id, await this.#read(TOPUP_METHODS.orderInfo, { customer_order_no: reference }, WireOrder), this.#secret);
    } catch (err) {
      if (isSupplierError(err, 'not_found')) return null;
      throw err;
    }
  }

  /** Top-up orders need no confirmation. */
  async confirmOrder(_supplierOrderId: string): Promise<void> {}

  async getOrder(supplierOrderId: string): Promise<SupplierOrder> {
    return orderOf(this.id, await this.#read(TOPUP_METHODS.orderInfo, { order_id: supplierOrderId }, WireOrder), this.#secret);
  }

  /** Recharge platforms cannot cancel: a recharge either completes or fails (and is refunded) on its own. */
  async cancelOrder(supplierOrderId: string): Promise<void> {
    throw new SupplierError(this.id, 'not_cancellable', `top-up order ${supplierOrderId} cannot be cancelled at the provider`);
  }

  // After-sales are not supported by recharge platforms: a failed recharge is refunded by the platform
  // itself (order.failed), and an issued one cannot be returned; the hub handles disputes on its side.
  async applyAfterSale(): Promise<AfterSale> {
    throw new SupplierError(this.id, 'rejected', 'top-up providers have no after-sales');
  }

  async getAfterSale(afterSaleId: string): Promise<AfterSale> {
    throw new SupplierError(this.id, 'rejected', `top-up providers have no after-sales (${afterSaleId})`);
  }

  /** The prepaid balance left at the provider, in fen. */
  async balanceFen(): Promise<number> {
    return (await this.#read(TOPUP_METHODS.balance, {}, BalanceData)).balance_fen;
  }

  health(): ConnectorHealth {
    return this.#caller.health();
  }

  async #read<S extends z.ZodType>(method: string, biz: Record<string, unknown>, schema: S): Promise<z.output<S>> {
    return (await this.#caller.call(() => this.#client.call(method, biz, schema, { write: false }))).data;
  }

  /** Products by id from product.list.get filtered by ids (≤ 100 a call); `cached` serves known ones from memory (their type never changes). */
  async #fetchProducts(ids: readonly string[], { cached }: { cached: boolean }): Promise<Map<string, WireProduct>> {
    const found = new Map<string, WireProduct>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const known = cached ? this.#products.get(id) : undefined;
      if (known) found.set(id, known);
      else missing.push(id);
    }
    const chunks: string[][] = [];
    for (let i = 0; i < missing.length; i += MAX_PAGE_SIZE) chunks.push(missing.slice(i, i + MAX_PAGE_SIZE));
    const pages = await Promise.all(chunks.map((product_ids) => this.#read(TOPUP_METHODS.productList, { product_ids, page_size: MAX_PAGE_SIZE }, ProductListData)));
    for (const p of pages.flatMap((page) => page.products)) found.set(p.product_id, p);
    this.#remember([...found.values()]);
    return found;
  }

  #remember(products: readonly WireProduct[]): void {
    for (const p of products) this.#products.set(p.product_id, p);
  }
}
