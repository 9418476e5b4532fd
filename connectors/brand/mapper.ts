import type { AfterSale, AfterSaleStatus, Offer, Shipment, SupplierOrder, SupplierOrderStatus, SupplierSku, TrackingStatus } from '../connector.ts';
import { normalizeCarrier } from '../shared/carrier.ts';
import type * as Wire from './wire.ts';

/** A product (page item or feed line) as a neutral SKU. */
export function toSupplierSku(p: Wire.Product): SupplierSku {
  return {
    supplierSkuId: p.id,
    title: p.title,
    brand: p.brand,
    model: p.model,
    gtin: p.gtin,
    kind: p.kind,
    categoryPath: p.category.path,
    supplierCategoryId: p.category.id,
    images: p.images,
    attributes: p.attributes,
    marketPriceFen: p.msrp?.amount ?? null,
    costFen: p.price.amount,
    onShelf: p.status === 'active',
    stock: p.stock?.quantity ?? null,
    virtual: null,
    updatedAt: p.updatedAt,
  };
}

/** A live inventory row as an offer; a SKU the brand did not answer for is not sellable. */
export function toOffer(supplierSkuId: string, row: Wire.InventoryRow | undefined): Offer {
  if (!row) return { supplierSkuId, costFen: null, stock: 0, available: false, sellable: false };
  const sellable = row.status === 'active' && row.deliverable;
  return { supplierSkuId, costFen: row.price.amount, stock: row.quantity, available: sellable && row.quantity > 0, sellable };
}

const ORDER_STATUS: Record<Wire.OrderStatus, SupplierOrderStatus> = {
  accepted: 'accepted',
  backordered: 'backordered',
  shipped: 'shipped',
  // The hub has no separate "in transit" order state: the parcel's tracking events say it.
  in_transit: 'shipped',
  delivered: 'delivered',
  cancelled: 'cancelled',
  issued: 'issued',
};

/** A brand order status in the hub's words. */
export function orderStatusOf(status: Wire.OrderStatus): SupplierOrderStatus {
  return ORDER_STATUS[status];
}

const TRACKING: ReadonlySet<string> = new Set(['picked_up', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned_to_sender']);

/** A parcel with its carrier normalized (SF Express → SF). */
export function toShipment(s: Wire.Shipment): Shipment {
  return {
    carrier: normalizeCarrier(s.carrier),
    trackingNo: s.trackingNumber,
    items: s.items.map((i) => ({ supplierSkuId: i.productId, quantity: i.quantity })),
    events: s.events.map((e) => ({
      // An unknown scan type still means the parcel is moving.
      status: (TRACKING.has(e.status) ? e.status : 'in_transit') as TrackingStatus,
      at: e.at,
      ...(e.location ? { location: e.location } : {}),
      description: e.description,
    })),
  };
}

/** A brand order in neutral form (brands never split orders: no children). */
export function toSupplierOrder(o: Wire.Order): SupplierOrder {
  return {
    supplierOrderId: o.id,
    reference: o.clientReference,
    status: orderStatusOf(o.status),
    lines: o.items.map((i) => ({ supplierSkuId: i.productId, quantity: i.quantity, costFen: i.unitPrice.amount })),
    children: [],
    shipments: o.shipments.map(toShipment),
    vouchers: o.vouchers.map((v) => ({ code: v.code, ...(v.pin ? { password: v.pin } : {}), ...(v.expiresAt ? { expiresAt: v.expiresAt } : {}) })),
    freightFen: o.shippingFee.amount,
    ...(o.cancellationReason ? { failureReason: o.cancellationReason } : {}),
    updatedAt: o.updatedAt,
  };
}

const RETURN_STATUS: Record<Wire.ReturnStatus, AfterSaleStatus> = {
  requested: 'pending',
  approved: 'approved',
  received: 'received',
  rejected: 'rejected',
  refunded: 'refunded',
  completed: 'completed',
};

/** A brand return status in the hub's words. */
export function afterSaleStatusOf(status: Wire.ReturnStatus): AfterSaleStatus {
  return RETURN_STATUS[status];
}

/** A brand return as a neutral after-sale, with what the brand granted once it reviewed it. */
export function toAfterSale(r: Wire.Return): AfterSale {
  const status = afterSaleStatusOf(r.status);
  return {
    afterSaleId: r.id,
    supplierOrderId: r.orderId,
    status,
    updatedAt: r.updatedAt,
    ...(status === 'rejected' && r.rejectionReason ? { reason: r.rejectionReason } : {}),
    ...(r.refundAmount ? { refundFen: r.refundAmount.amount } : {}),
    ...(r.approvedItems ? { units: r.approvedItems.reduce((n, i) => n + i.quantity, 0) } : {}),
    ...(r.replacement ? { replacement: { carrier: normalizeCarrier(r.replacement.carrier), trackingNo: r.replacement.trackingNumber } } : {}),
  };
}
