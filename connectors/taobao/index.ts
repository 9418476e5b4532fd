import type {
  AfterSale,
  AfterSaleRequest,
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
import { SupplierError } from '../errors.ts';
import { type ResilienceOptions, SupplierCaller } from '../shared/resilience.ts';
import { formatUtc8Timestamp } from '../shared/timestamp.ts';
import { type TaobaoCredentials, TaobaoClient } from './client.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { taobaoInbound } from './inbound.ts';
import { toAfterSale, toOffer, toSupplierOrder, toSupplierSku } from './mapper.ts';
import { MAX_PAGE_SIZE, MAX_SKU_BATCH, METHODS } from './methods.ts';
import { provinceCodeOf } from '../shared/region.ts';
import type { z } from 'zod';
import { CloseResult, OrderCreated, OrdersResult, ProductsPage, type PurchaseOrder, RefundResult, SkusResult, TraceResult } from './wire.ts';

export type { TaobaoCredentials } from './client.ts';

/** How to reach one Taobao distributor account. */
export interface TaobaoConnectorOptions {
  /** Supplier id as the hub knows it (default 'taobao'). */
  id?: string;
  baseUrl: string;
  credentials: TaobaoCredentials;
  timeoutMs: number;
  resilience?: Partial<ResilienceOptions>;
  /** Clock for request timestamps (TOP rejects more than 10 minutes off its wall clock); default wall time, unit tests pin it. */
  now?: () => Date;
}

/** The Taobao (TOP 供销) connector: catalog pages, area stock, purchase orders, refunds and pushes. */
export class TaobaoConnector implements SupplierConnector {
  readonly id: string;
  readonly kind = 'taobao' as const;
  // Purchase orders are accepted on creation (paid from the deposit) and can be closed until shipped.
  readonly capabilities: ConnectorCapabilities = { kinds: ['physical'], needsConfirm: false, cancelAfterConfirm: true, catalogUpdates: 'updated-since' };
  readonly inbound: WebhookInbound;
  readonly #client: TaobaoClient;
  readonly #caller: SupplierCaller;

  constructor(opts: TaobaoConnectorOptions) {
    this.id = opts.id ?? 'taobao';
    this.#client = new TaobaoClient({ supplier: this.id, baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs, credentials: opts.credentials, now: opts.now ?? (() => new Date()) });
    this.#caller = new SupplierCaller(this.id, opts.resilience, opts.now);
    this.inbound = taobaoInbound(this.id, opts.credentials.appSecret);
  }

  #call<S extends z.ZodType>(method: string, params: Record<string, string>, schema: S, write = false): Promise<z.output<S>> {
    return this.#caller.call(() => this.#client.call(method, params, schema, { write }), { write });
  }

  async listCatalog(query: CatalogQuery): Promise<CatalogPage> {
    const cursor = decodeCursor(query.cursor);
    if (!cursor) throw new SupplierError(this.id, 'bad_request', `unreadable catalog cursor ${query.cursor}`);
    const since = cursor.since ?? query.updatedSince;
    const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(query.limit ?? MAX_PAGE_SIZE)));
    const params: Record<string, string> = { page_no: String(cursor.page), page_size: String(pageSize) };
    if (since) params.start_modified = formatUtc8Timestamp(since);
    const page = await this.#call(METHODS.productsGet, params, ProductsPage);
    const items = (page.products?.fenxiao_product ?? []).map(toSupplierSku);
    const more = items.length > 0 && cursor.page * pageSize < page.total_results;
    return { items, nextCursor: more ? encodeCursor({ page: cursor.page + 1, since }) : null };
  }

  /** Pages are numbered (page_no): the next ones are known before any arrives, in the same window. */
  cursorsAfter(query: CatalogQuery, count: number): string[] {
    const cursor = decodeCursor(query.cursor);
    if (!cursor) return [];
    const since = cursor.since ?? query.updatedSince;
    return Array.from({ length: Math.max(0, count) }, (_, i) => encodeCursor({ page: cursor.page + 1 + i, since }));
  }

  async getOffers(supplierSkuIds: readonly string[], region: Region): Promise<Offer[]> {
    const area = provinceCodeOf(region.province);
    if (!area) return supplierSkuIds.map((id) => toOffer(id, undefined));
    const offers: Offer[] = [];
    for (let at = 0; at < supplierSkuIds.length; at += MAX_SKU_BATCH) {
      const batch = supplierSkuIds.slice(at, at + MAX_SKU_BATCH);
      const result = await this.#call(METHODS.skusGet, { product_ids: batch.join(','), area_id: area }, SkusResult);
      const byProduct = new Map((result.skus?.fenxiao_sku ?? []).map((s) => [s.product_id ?? s.id, s]));
      offers.push(...batch.map((id) => toOffer(id, byProduct.get(id))));
    }
    return offers;
  }

  async resolveRegion(region: Region): Promise<{ serviceable: boolean; supplierRegionId?: string }> {
    // TOP delivers to every mainland province and addresses stock by province code: no call needed.
    const code = provinceCodeOf(region.province);
    return code ? { serviceable: true, supplierRegionId: code } : { serviceable: false };
  }

  async submitOrder(req: SupplierOrderRequest): Promise<SupplierOrder> {
    const r = req.recipient;
    if (!r) throw new SupplierError(this.id, 'bad_request', 'a Taobao purchase order needs a recipient');
    const params = {
      dist_order_no: req.reference,
      items: JSON.stringify(req.lines.map((l) => ({ item_id: l.supplierSkuId, num: l.quantity }))),
      receiver_name: r.name,
      receiver_mobile_phone: r.phone,
      receiver_state: r.province,
      receiver_city: r.city,
      receiver_district: r.district,
      receiver_address: r.address,
    };
    // A repeated dist_order_no answers the existing order, so a repeat is safe; a lost answer is not retried here (findOrder).
    const created = await this.#call(METHODS.orderCreate, params, OrderCreated, true);
    // No trace read here: a failed follow-up read must not make a created order look failed.
    return this.#order(created.purchase_order, false);
  }

  async findOrder(reference: string): Promise<SupplierOrder | null> {
    const found = await this.#call(METHODS.ordersGet, { dist_order_no: reference }, OrdersResult);
    const po = found.purchase_orders?.purchase_order.find((o) => o.dist_order_no === reference);
    return po ? this.#order(po) : null;
  }

  async confirmOrder(): Promise<void> {
    // TOP accepts a purchase order on creation: there is no second phase.
  }

  async getOrder(supplierOrderId: string): Promise<SupplierOrder> {
    const found = await this.#call(METHODS.ordersGet, { purchase_order_id: supplierOrderId }, OrdersResult);
    const po = found.purchase_orders?.purchase_order.find((o) => o.fenxiao_id === supplierOrderId);
    if (!po) throw new SupplierError(this.id, 'not_found', `no purchase order ${supplierOrderId}`);
    return this.#order(po);
  }

  async cancelOrder(supplierOrderId: string): Promise<void> {
    const result = await this.#call(METHODS.orderClose, { purchase_order_id: supplierOrderId, reason: '分销商取消' }, CloseResult, true);
    if (!result.is_success) throw new SupplierError(this.id, 'not_cancellable', `purchase order ${supplierOrderId} was not closed`);
  }

  async applyAfterSale(req: AfterSaleRequest): Promise<AfterSale> {
    if (req.type === 'exchange') throw new SupplierError(this.id, 'rejected', 'Taobao distributor refunds have no exchange; apply a return');
    const params: Record<string, string> = {
      dist_refund_no: req.reference,
      purchase_order_id: req.supplierOrderId,
      item_id: req.supplierSkuId,
      num: String(req.quantity),
      is_return_goods: String(req.type === 'return'),
      refund_desc: req.reason,
    };
    if (req.photos?.length) params.pic_urls = req.photos.join(',');
    const result = await this.#call(METHODS.refundCreate, params, RefundResult, true);
    return this.#afterSale(result.refund_detail);
  }

  async getAfterSale(afterSaleId: string): Promise<AfterSale> {
    const result = await this.#call(METHODS.refundGet, { refund_id: afterSaleId }, RefundResult);
    return this.#afterSale(result.refund_detail);
  }

  health(): ConnectorHealth {
    return this.#caller.health();
  }

  /** Maps a purchase order, reading its waybill trace when it has shipped (and `withTrace`). */
  async #order(po: z.output<typeof PurchaseOrder>, withTrace = true): Promise<SupplierOrder> {
    const traced = withTrace && po.logistics_id !== undefined;
    const steps = traced ? ((await this.#call(METHODS.traceSearch, { tid: po.fenxiao_id }, TraceResult)).trace_list?.transit_step_info ?? []) : [];
    const order = toSupplierOrder(po, steps);
    if (!order) throw new SupplierError(this.id, 'invalid_response', `unknown purchase order status ${po.status}`, { retryable: false });
    return order;
  }

  #afterSale(detail: z.output<typeof RefundResult>['refund_detail']): AfterSale {
    const afterSale = toAfterSale(detail);
    if (!afterSale) throw new SupplierError(this.id, 'invalid_response', `unknown refund status ${detail.refund_status}`, { retryable: false });
    return afterSale;
  }
}
