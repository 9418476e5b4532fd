import type { z } from 'zod';
import type { AfterSale, AfterSaleStatus, Offer, Shipment, SupplierOrder, SupplierOrderStatus, SupplierSku, TrackingEvent, TrackingStatus } from '../connector.ts';
import { parseUtc8Timestamp } from '../shared/timestamp.ts';
import { normalizeCarrier } from '../shared/carrier.ts';
import type { FenxiaoProduct, FenxiaoSku, PurchaseOrder, RefundDetail, TraceStep } from './wire.ts';

type Product = z.output<typeof FenxiaoProduct>;
type Sku = z.output<typeof FenxiaoSku>;
type Order = z.output<typeof PurchaseOrder>;
type Refund = z.output<typeof RefundDetail>;
type Step = z.output<typeof TraceStep>;

/** A TOP time (`yyyy-MM-dd HH:mm:ss`, UTC+8) as ISO, or null when absent or unreadable. */
export function isoOf(text: string | undefined): string | null {
  return text ? (parseUtc8Timestamp(text)?.toISOString() ?? null) : null;
}

/** `品牌:特步;型号:VDQE421` → { 品牌: 特步, 型号: VDQE421 }. */
function parseProperties(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (text ?? '').split(';')) {
    const at = pair.indexOf(':');
    if (at > 0) out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** A fenxiao product (one SKU each in this catalog) as the hub's neutral SKU. */
export function toSupplierSku(p: Product): SupplierSku {
  const sku = p.skus?.fenxiao_sku[0];
  const attributes = parseProperties(p.properties);
  return {
    supplierSkuId: p.pid,
    title: p.name,
    brand: p.brand_name ?? attributes.品牌 ?? null,
    model: p.outer_id || null,
    gtin: p.barcode || null,
    kind: 'physical',
    categoryPath: p.category_path ? p.category_path.split('>') : [],
    supplierCategoryId: p.category_id ?? null,
    images: p.pictures ? p.pictures.split(',').filter(Boolean) : [],
    attributes,
    marketPriceFen: p.standard_price ?? sku?.standard_price ?? null,
    costFen: sku?.cost_price ?? p.cost_price ?? 0,
    onShelf: p.status === 'up',
    stock: sku?.quantity ?? p.quantity ?? null,
    virtual: null,
    updatedAt: isoOf(p.modified),
  };
}

/** A SKU's live price and stock in one area; a product TOP did not return cannot be sold there. */
export function toOffer(supplierSkuId: string, sku: Sku | undefined): Offer {
  if (!sku) return { supplierSkuId, costFen: null, stock: 0, available: false, sellable: false };
  const sellable = sku.status !== 'down';
  return { supplierSkuId, costFen: sku.cost_price, stock: sku.quantity, available: sellable && sku.quantity > 0, sellable };
}

// WAIT_BUYER_PAY does not occur for distributors paying from their deposit; read as accepted.
const ORDER_STATUS: Readonly<Record<string, SupplierOrderStatus>> = {
  WAIT_BUYER_PAY: 'accepted',
  WAIT_SELLER_SEND_GOODS: 'accepted',
  WAIT_BUYER_CONFIRM_GOODS: 'shipped',
  TRADE_FINISHED: 'delivered',
  TRADE_CLOSED: 'cancelled',
};

/** The neutral status of a TOP purchase order status; undefined for one we do not know. */
export function orderStatusOf(status: string): SupplierOrderStatus | undefined {
  return ORDER_STATUS[status];
}

const TRACE_STATUS: Readonly<Record<string, TrackingStatus>> = {
  CONSIGN: 'picked_up',
  TMS_ACCEPT: 'picked_up',
  TMS_DEPARTURE: 'in_transit',
  TMS_ARRIVAL: 'in_transit',
  TMS_TRANSPORT: 'in_transit',
  TMS_DELIVERING: 'out_for_delivery',
  TMS_SIGN: 'delivered',
  TMS_FAILED: 'exception',
  TMS_ERROR: 'exception',
  TMS_REJECT: 'exception',
  TMS_RETURN: 'returned_to_sender',
};

/** TOP trace steps as tracking events, oldest first. */
export function trackingEvents(steps: readonly Step[]): TrackingEvent[] {
  return steps
    .map((s) => ({ status: TRACE_STATUS[s.action] ?? 'in_transit', at: isoOf(s.status_time) ?? s.status_time, description: s.status_desc }))
    .sort((a, b) => a.at.localeCompare(b.at));
}

/** The parcel of a shipped order (TOP ships a purchase order as one parcel). */
export function shipmentOf(
  carrier: { name?: string | undefined; code?: string | undefined },
  trackingNo: string,
  items: readonly { item_id: string; num: number }[],
  steps: readonly Step[],
): Shipment {
  return {
    carrier: normalizeCarrier(carrier.code ?? carrier.name),
    trackingNo,
    items: items.map((i) => ({ supplierSkuId: i.item_id, quantity: i.num })),
    events: trackingEvents(steps),
  };
}

/** A purchase order in neutral form; `steps` is its waybill trace when it was looked up. */
export function toSupplierOrder(po: Order, steps: readonly Step[] = []): SupplierOrder | undefined {
  const status = orderStatusOf(po.status);
  if (!status) return undefined;
  const subs = po.sub_purchase_orders?.sub_purchase_order ?? [];
  const shipments = po.logistics_id
    ? [shipmentOf({ name: po.logistics_company_name, code: po.logistics_company_code }, po.logistics_id, subs, steps)]
    : [];
  return {
    supplierOrderId: po.fenxiao_id,
    reference: po.dist_order_no,
    status,
    lines: subs.map((s) => ({ supplierSkuId: s.item_id, quantity: s.num, costFen: s.price ?? null })),
    children: [],
    shipments,
    vouchers: [],
    freightFen: po.post_fee ?? 0,
    ...(po.close_reason ? { failureReason: po.close_reason } : {}),
    updatedAt: isoOf(po.modified),
  };
}

// TOP refund statuses: 1 applied, 2 agreed (return the goods), 3 goods sent back (on their way to
// the seller), 4 closed, 5 refunded, 6 refused, 9 none, 10 refused receipt, 12 agreed (refund being
// paid): for a return, 12 comes once the seller has confirmed receipt of the goods.
const REFUND_STATUS: Readonly<Record<number, AfterSaleStatus>> = {
  1: 'pending',
  2: 'approved',
  3: 'approved',
  4: 'cancelled',
  5: 'refunded',
  6: 'rejected',
  10: 'rejected',
  12: 'approved',
};

/**
 * The neutral after-sale status of a TOP refund status; undefined for one we do not know.
 * `isReturnGoods` (when known) reads a return's 12 as received.
 */
export function afterSaleStatusOf(status: number, isReturnGoods?: boolean): AfterSaleStatus | undefined {
  if (status === 12 && isReturnGoods === true) return 'received';
  return REFUND_STATUS[status];
}

/** A refund in neutral form, with what the seller agreed to (units, fen) and its reason when it refused. */
export function toAfterSale(r: Refund): AfterSale | undefined {
  const status = afterSaleStatusOf(r.refund_status, r.is_return_goods);
  if (!status) return undefined;
  return {
    afterSaleId: r.refund_id,
    supplierOrderId: r.purchase_order_id,
    status,
    updatedAt: isoOf(r.modified),
    ...(status === 'rejected' && r.refuse_reason ? { reason: r.refuse_reason } : {}),
    ...(r.agreed_refund_fee !== undefined ? { refundFen: r.agreed_refund_fee } : {}),
    ...(r.agreed_num !== undefined ? { units: r.agreed_num } : {}),
  };
}
