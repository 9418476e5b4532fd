import { createHash, randomBytes } from 'node:crypto';
import { provinceCodeOf } from '../../shared/region.ts';
import type * as Wire from '../../brand/wire.ts';
import type { GoodsSku } from '../../../fixtures/catalog/index.ts';
import type { Faults } from '../common/faults.ts';
import type { BrandCatalog } from './catalog.ts';
import type { BrandLifecycle } from './lifecycle.ts';
import { BrandState, type OrderRecord } from './state.ts';

/** A refusal in the brand's error form: HTTP status plus `{error: {type, message}}`. */
export interface BrandRefusal {
  status: 400 | 404 | 409 | 422;
  error: Wire.ErrorBody['error'];
}

/** Either the answer (201 created, 200 existing) or a refusal. */
export type Outcome<T> = { ok: true; status: 200 | 201; value: T } | { ok: false; refusal: BrandRefusal };

const refuse = (status: BrandRefusal['status'], type: string, message: string, productId?: string): { ok: false; refusal: BrandRefusal } => ({
  ok: false,
  refusal: { status, error: { type, message, ...(productId ? { productId } : {}) } },
});

// Orders of at least 99 yuan of goods ship free; services never pay freight.
const FREE_SHIPPING_FEN = 9_900;
const SHIPPING_FEN = 800;
const VOUCHER_VALID_MS = 365 * 24 * 3600_000;

/** The brand's order desk: creates, cancels and returns against the catalog and the sandbox's state. */
export class BrandOrders {
  readonly #catalog: BrandCatalog;
  readonly #state: BrandState;
  readonly #lifecycle: BrandLifecycle;
  readonly #faults: Faults;
  readonly #tag: string;

  constructor(opts: { catalog: BrandCatalog; state: BrandState; lifecycle: BrandLifecycle; faults: Faults }) {
    this.#catalog = opts.catalog;
    this.#state = opts.state;
    this.#lifecycle = opts.lifecycle;
    this.#faults = opts.faults;
    this.#tag = opts.catalog.supplier.replace(/^brand-/, '').toUpperCase();
  }

  /** `POST /v1/orders`: a repeated clientReference answers the existing order, whatever the key. */
  create(req: Wire.CreateOrder, now: Date): Outcome<Wire.Order> {
    const existing = this.findByReference(req.clientReference);
    if (existing) return { ok: true, status: 200, value: existing };
    const revision = this.#catalog.revisionAt(now);
    const skus: GoodsSku[] = [];
    for (const item of req.items) {
      const sku = this.#catalog.skuById(item.productId, revision);
      if (!sku || !sku.onShelf) return refuse(422, 'product_unavailable', `product ${item.productId} is not for sale`, item.productId);
      skus.push(sku);
    }
    let province = '';
    if (skus.some((s) => s.kind === 'physical')) {
      if (!req.shippingAddress) return refuse(422, 'invalid_request', 'shippingAddress is required for physical products');
      const code = provinceCodeOf(req.shippingAddress.province);
      if (!code) return refuse(422, 'address_unserviceable', `we do not deliver to ${req.shippingAddress.province}`);
      province = code;
    }
    // Check every line before holding any stock, so a refused order holds nothing.
    let backordered = false;
    const held: OrderRecord['held'] = [];
    for (const [i, sku] of skus.entries()) {
      const units = req.items[i]?.quantity ?? 0;
      const onHand = this.#state.stockOf(sku, province);
      if (onHand <= 0 || this.#state.soldOutAtOrder(sku.supplierSkuId)) return refuse(422, 'out_of_stock', `product ${sku.supplierSkuId} is out of stock`, sku.supplierSkuId);
      // More than on hand (but some): the brand accepts and ships once it restocks.
      if (units > onHand && sku.kind === 'physical') backordered = true;
      else if (units > onHand) return refuse(422, 'out_of_stock', `only ${onHand} codes of ${sku.supplierSkuId} left`, sku.supplierSkuId);
      held.push({ key: BrandState.stockKey(sku, province), units: Math.min(units, onHand) });
    }
    for (const h of held) this.#state.hold(h.key, h.units);
    const order = this.#newOrder(req, skus, backordered, now);
    const rec: OrderRecord = { order, held };
    this.#state.orders.set(order.id, rec);
    this.#state.orderByReference.set(order.clientReference, order.id);
    this.#lifecycle.startOrder(rec, now);
    return { ok: true, status: 201, value: order };
  }

  #newOrder(req: Wire.CreateOrder, skus: GoodsSku[], backordered: boolean, now: Date): Wire.Order {
    const id = `${this.#tag}-O-${randomBytes(5).toString('hex').toUpperCase()}`;
    const items = req.items.map((item, i) => {
      const sku = skus[i] as GoodsSku;
      return { productId: sku.supplierSkuId, quantity: item.quantity, kind: sku.kind, unitPrice: { amount: sku.costFen, currency: 'CNY' as const } };
    });
    const goodsFen = items.filter((i) => i.kind === 'physical').reduce((sum, i) => sum + i.unitPrice.amount * i.quantity, 0);
    const physical = items.some((i) => i.kind === 'physical');
    const vouchers = items.filter((i) => i.kind === 'service').flatMap((i) => this.#vouchers(id, i.productId, i.quantity, now));
    const at = now.toISOString();
    return {
      id,
      clientReference: req.clientReference,
      status: !physical ? 'issued' : backordered ? 'backordered' : 'accepted',
      items,
      shippingFee: { amount: physical && goodsFen < FREE_SHIPPING_FEN ? SHIPPING_FEN : 0, currency: 'CNY' },
      shipments: [],
      vouchers,
      cancellationReason: null,
      createdAt: at,
      updatedAt: at,
    };
  }

  #vouchers(orderId: string, productId: string, units: number, now: Date): Wire.Voucher[] {
    return Array.from({ length: units }, (_, u) => {
      const h = createHash('sha256').update(`${orderId}|${productId}|${u}`).digest('hex').toUpperCase();
      return { productId, code: `${this.#tag}-${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 12)}`, pin: String(parseInt(h.slice(12, 20), 16) % 1_000_000).padStart(6, '0'), expiresAt: new Date(now.getTime() + VOUCHER_VALID_MS).toISOString() };
    });
  }

  findByReference(reference: string): Wire.Order | undefined {
    const id = this.#state.orderByReference.get(reference);
    return id === undefined ? undefined : this.#state.orders.get(id)?.order;
  }

  get(id: string): Wire.Order | undefined {
    return this.#state.orders.get(id)?.order;
  }

  /** `POST /v1/orders/{id}/cancel`: only before the parcel leaves and before codes are issued. */
  cancel(id: string, reason: string, now: Date): Outcome<Wire.Order> {
    const rec = this.#state.orders.get(id);
    if (!rec) return refuse(404, 'not_found', `no order ${id}`);
    const o = rec.order;
    if (o.status === 'cancelled') return { ok: true, status: 200, value: o };
    if ((o.status !== 'accepted' && o.status !== 'backordered') || o.vouchers.length > 0) {
      return refuse(409, 'order_not_cancellable', `order ${id} is ${o.status}${o.vouchers.length ? ' with e-vouchers issued' : ''}`);
    }
    o.status = 'cancelled';
    o.cancellationReason = reason;
    o.updatedAt = now.toISOString();
    this.#state.release(rec.held);
    rec.held = [];
    this.#lifecycle.cancelled(o, now);
    return { ok: true, status: 200, value: o };
  }

  /** `POST /v1/returns`: for items of an order that has shipped (or issued its codes). */
  createReturn(req: Wire.CreateReturn, now: Date): Outcome<Wire.Return> {
    const existingId = this.#state.returnByReference.get(req.clientReference);
    const existing = existingId === undefined ? undefined : this.#state.returns.get(existingId);
    if (existing) return { ok: true, status: 200, value: existing };
    const o = this.get(req.orderId);
    if (!o) return refuse(404, 'not_found', `no order ${req.orderId}`);
    if (!['shipped', 'in_transit', 'delivered', 'issued'].includes(o.status)) return refuse(409, 'order_not_returnable', `order ${o.id} is ${o.status}`);
    for (const item of req.items) {
      const line = o.items.find((l) => l.productId === item.productId);
      if (!line || item.quantity > line.quantity) return refuse(422, 'invalid_request', `order ${o.id} has no ${item.quantity} × ${item.productId}`, item.productId);
    }
    const at = now.toISOString();
    const ret: Wire.Return = {
      id: `${this.#tag}-R-${randomBytes(5).toString('hex').toUpperCase()}`,
      orderId: o.id,
      clientReference: req.clientReference,
      type: req.type,
      status: 'requested',
      items: req.items,
      reason: req.reason,
      rejectionReason: null,
      createdAt: at,
      updatedAt: at,
    };
    this.#state.returns.set(ret.id, ret);
    this.#state.returnByReference.set(ret.clientReference, ret.id);
    const lineOf = (productId: string) => o.items.find((l) => l.productId === productId);
    const hasServices = req.items.some((i) => lineOf(i.productId)?.kind === 'service');
    this.#lifecycle.startReturn(ret, { hasServices, unitFen: (productId) => lineOf(productId)?.unitPrice.amount ?? 0, fate: this.#faults.afterSaleFate() }, now);
    return { ok: true, status: 201, value: ret };
  }

  /** Orders held for a hub reference (0 or 1: a repeat never makes a second). */
  countFor(reference: string): number {
    let n = 0;
    for (const rec of this.#state.orders.values()) if (rec.order.clientReference === reference) n++;
    return n;
  }
}
