import type { z } from 'zod';
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
  SupplierSku,
  WebhookInbound,
} from '../connector.ts';
import { type ResilienceOptions, SupplierCaller } from '../shared/resilience.ts';
import { type BrandCredentials, BrandClient, type BrandRequest } from './client.ts';
import { FEED_PATH, readFeed } from './feed.ts';
import { brandInbound } from './inbound.ts';
import { toAfterSale, toOffer, toSupplierOrder, toSupplierSku } from './mapper.ts';
import { provinceCodeOf } from '../shared/region.ts';
import { type CreateOrder, InventoryList, Order, OrderList, ProductPage, Return } from './wire.ts';

export type { BrandCredentials } from './client.ts';

/** Largest catalog page the brand API serves. */
export const MAX_PAGE_SIZE = 500;
/** Product ids per inventory request. */
export const MAX_INVENTORY_BATCH = 100;

/** How to reach one brand supplier account. */
export interface BrandConnectorOptions {
  /** Supplier id as the hub knows it: 'brand-acme', 'brand-lumen'. */
  id: string;
  baseUrl: string;
  credentials: BrandCredentials;
  timeoutMs: number;
  /** Socket idle limit while streaming the bulk feed (default 60 s). */
  feedTimeoutMs?: number;
  resilience?: Partial<ResilienceOptions>;
  /** The time calls are placed in the health window by; brand calls carry no timestamps (webhook checks get `now` from the hub). */
  now?: () => Date;
  /** Age after which a webhook is stale (default 5 minutes). */
  webhookToleranceMs?: number;
}

/** The brand connector: one class for every brand supplier on the shared REST API (brand-acme, brand-lumen, …). */
export class BrandConnector implements SupplierConnector {
  readonly id: string;
  readonly kind = 'brand' as const;
  // Brands accept on creation and can cancel until the parcel leaves; services are e-vouchers.
  readonly capabilities: ConnectorCapabilities = { kinds: ['physical', 'service'], needsConfirm: false, cancelAfterConfirm: true, catalogUpdates: 'updated-since' };
  readonly inbound: WebhookInbound;
  readonly #client: BrandClient;
  readonly #caller: SupplierCaller;

  constructor(opts: BrandConnectorOptions) {
    this.id = opts.id;
    this.#client = new BrandClient({
      supplier: opts.id,
      baseUrl: opts.baseUrl,
      timeoutMs: opts.timeoutMs,
      feedTimeoutMs: opts.feedTimeoutMs ?? 60_000,
      apiKey: opts.credentials.apiKey,
    });
    this.#caller = new SupplierCaller(opts.id, opts.resilience, opts.now);
    this.inbound = brandInbound(opts.id, opts.credentials.webhookSecret, opts.webhookToleranceMs);
  }

  #call<S extends z.ZodType>(req: BrandRequest, schema: S): Promise<z.output<S>> {
    return this.#caller.call(() => this.#client.request(req, schema), { write: req.method === 'POST' });
  }

  async listCatalog(query: CatalogQuery): Promise<CatalogPage> {
    const limit = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(query.limit ?? MAX_PAGE_SIZE)));
    const page = await this.#call(
      {
        method: 'GET',
        path: '/v1/products',
        // The brand's cursor carries updatedSince, so later pages need only the cursor.
        query: { limit: String(limit), cursor: query.cursor ?? undefined, updatedSince: query.cursor ? undefined : query.updatedSince?.toISOString() },
      },
      ProductPage,
    );
    return { items: page.data.map(toSupplierSku), nextCursor: page.nextCursor };
  }

  /**
   * The whole catalog from the nightly bulk feed, one SKU at a time, for full syncs: one download
   * instead of hundreds of pages. Only opening the download is retried; a download that breaks
   * off throws and the sync starts over.
   */
  async *streamFeed(): AsyncGenerator<SupplierSku> {
    const body = await this.#caller.call(() => this.#client.openFeed(FEED_PATH));
    yield* readFeed(this.id, body);
  }

  async getOffers(supplierSkuIds: readonly string[], region: Region): Promise<Offer[]> {
    const province = provinceCodeOf(region.province);
    if (!province) return supplierSkuIds.map((id) => toOffer(id, undefined));
    const offers: Offer[] = [];
    for (let at = 0; at < supplierSkuIds.length; at += MAX_INVENTORY_BATCH) {
      const batch = supplierSkuIds.slice(at, at + MAX_INVENTORY_BATCH);
      const list = await this.#call({ method: 'GET', path: '/v1/inventory', query: { productIds: batch.join(','), province } }, InventoryList);
      const rows = new Map(list.data.map((row) => [row.productId, row]));
      for (const id of batch) offers.push(toOffer(id, rows.get(id)));
    }
    return offers;
  }

  /** Brands deliver to every mainland province; an address we cannot place is unserviceable. */
  async resolveRegion(region: Region): Promise<{ serviceable: boolean; supplierRegionId?: string }> {
    const province = provinceCodeOf(region.province);
    return province ? { serviceable: true, supplierRegionId: province } : { serviceable: false };
  }

  async submitOrder(req: SupplierOrderRequest): Promise<SupplierOrder> {
    // E-voucher codes of service lines go by SMS to the recharge account, else to the recipient.
    const voucherPhone = req.rechargeAccount ?? req.recipient?.phone;
    const body: CreateOrder = {
      clientReference: req.reference,
      items: req.lines.map((l) => ({ productId: l.supplierSkuId, quantity: l.quantity })),
      ...(req.recipient
        ? {
            shippingAddress: {
              name: req.recipient.name,
              phone: req.recipient.phone,
              province: req.recipient.province,
              city: req.recipient.city,
              district: req.recipient.district,
              line1: req.recipient.address,
            },
          }
        : {}),
      ...(voucherPhone ? { voucherPhone } : {}),
    };
    // The key is derived from the reference, so a retry replays the first answer; a repeated
    // clientReference under any key answers the existing order too (201 new, 200 existing).
    const order = await this.#call({ method: 'POST', path: '/v1/orders', body, idempotencyKey: `order-${req.reference}`, purpose: 'create' }, Order);
    return toSupplierOrder(order);
  }

  async findOrder(reference: string): Promise<SupplierOrder | null> {
    const list = await this.#call({ method: 'GET', path: '/v1/orders', query: { clientReference: reference } }, OrderList);
    const order = list.data.find((o) => o.clientReference === reference);
    return order ? toSupplierOrder(order) : null;
  }

  /** Brands accept on creation: nothing to confirm. */
  async confirmOrder(_supplierOrderId: string): Promise<void> {}

  async getOrder(supplierOrderId: string): Promise<SupplierOrder> {
    return toSupplierOrder(await this.#call({ method: 'GET', path: `/v1/orders/${encodeURIComponent(supplierOrderId)}` }, Order));
  }

  async cancelOrder(supplierOrderId: string): Promise<void> {
    const path = `/v1/orders/${encodeURIComponent(supplierOrderId)}/cancel`;
    await this.#call({ method: 'POST', path, body: { reason: 'cancelled by the hub' }, idempotencyKey: `cancel-${supplierOrderId}`, purpose: 'cancel' }, Order);
  }

  async applyAfterSale(req: AfterSaleRequest): Promise<AfterSale> {
    const body = {
      orderId: req.supplierOrderId,
      clientReference: req.reference,
      type: req.type,
      items: [{ productId: req.supplierSkuId, quantity: req.quantity }],
      reason: req.reason,
      ...(req.photos?.length ? { photos: req.photos } : {}),
    };
    const ret = await this.#call({ method: 'POST', path: '/v1/returns', body, idempotencyKey: `return-${req.reference}`, purpose: 'return' }, Return);
    return toAfterSale(ret);
  }

  async getAfterSale(afterSaleId: string): Promise<AfterSale> {
    return toAfterSale(await this.#call({ method: 'GET', path: `/v1/returns/${encodeURIComponent(afterSaleId)}` }, Return));
  }

  health(): ConnectorHealth {
    return this.#caller.health();
  }
}
