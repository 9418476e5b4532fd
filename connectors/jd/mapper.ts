import type { AfterSale, AfterSaleStatus, InboundMessage, Offer, Shipment, SupplierEvent, SupplierOrder, SupplierSku, TrackingStatus } from '../connector.ts';
import { normalizeCarrier } from '../shared/carrier.ts';
import { parseUtc8Timestamp } from '../shared/timestamp.ts';
import { yuanToFen } from '../shared/yuan.ts';

/** JD wire shapes (as biz.* methods answer them). */
export interface JdDetail { sku: number; name: string; brandName: string; model: string; upc: string; category: string; categoryNames: string; images: string[]; state: number; wareQD: string; param: { name: string; value: string }[] }
export interface JdPrice { skuId: number; price: string; jdPrice: string }
export interface JdStock { skuId: number; stockStateId: number; remainNum: number }
interface JdParcel { jdOrderId: number; state: string; waybill: string | null; carrier?: string | null; track: { msgTime: string; content: string; operateState: string }[]; sku: { skuId: number; num: number }[] }
export interface JdOrderBody { jdOrderId: number; thirdOrder: string; state: 'occupied' | 'confirmed' | 'cancelled'; freight: string; sku: { skuId: number; num: number; price: string }[]; cOrder: JdParcel[]; parcels: JdParcel[] }
export interface JdMessage { id: string; type: number; time: string; result: Record<string, unknown> }
/**
 * A service order as biz.afterSale.status answers it (a repeated apply answers it too; a first
 * apply may answer only the id and step). Fields granted at review, all (ours): `approvedNum` units
 * JD accepted, `refundPrice` what it refunds (yuan), `approveNotes` its note (the reason when it
 * refused), `exchangeWaybill` an exchange's replacement parcel.
 */
export interface JdAfterSaleBody {
  afsServiceId: number;
  jdOrderId?: number;
  afsServiceStep?: number;
  approvedNum?: number;
  refundPrice?: string;
  approveNotes?: string;
  exchangeWaybill?: { carrier?: string; deliveryOrderId: string };
}

// JD writes times as Beijing wall-clock `yyyy-MM-dd HH:mm:ss`; the hub keeps ISO instants.
const iso = (jdTime: string): string => parseUtc8Timestamp(jdTime)?.toISOString() ?? jdTime;
const fen = (yuan: string | undefined): number | null => (yuan === undefined ? null : (yuanToFen(yuan) ?? null));

/** One catalog entry from its detail, price and default-area stock. */
export function toSku(d: JdDetail, price: JdPrice | undefined, stock: JdStock | undefined): SupplierSku | null {
  const cost = fen(price?.price);
  if (cost === null) return null;
  return {
    supplierSkuId: String(d.sku),
    title: d.name,
    brand: d.brandName || null,
    model: d.model || null,
    gtin: d.upc || null,
    kind: d.wareQD === '电子券' ? 'service' : 'physical',
    categoryPath: d.categoryNames ? d.categoryNames.split(';') : [],
    supplierCategoryId: d.category || null,
    images: d.images ?? [],
    attributes: Object.fromEntries((d.param ?? []).map((p) => [p.name, p.value])),
    marketPriceFen: fen(price?.jdPrice),
    costFen: cost,
    onShelf: d.state === 1,
    stock: stock ? stock.remainNum : null,
    virtual: null,
    updatedAt: null,
  };
}

/** Live offer from price and area stock (33 in stock, 34 none, 40 not deliverable there). */
export function toOffer(skuId: string, price: JdPrice | undefined, stock: JdStock | undefined): Offer {
  return {
    supplierSkuId: skuId,
    costFen: fen(price?.price),
    stock: stock?.remainNum ?? null,
    available: stock?.stockStateId === 33,
    sellable: price !== undefined && stock !== undefined && stock.stockStateId !== 40,
  };
}

const TRACK: Record<string, TrackingStatus> = {
  picked_up: 'picked_up', in_transit: 'in_transit', out_for_delivery: 'out_for_delivery', delivered: 'delivered', exception: 'exception', returned_to_sender: 'returned_to_sender',
};

function shipment(p: JdParcel): Shipment | null {
  if (!p.waybill) return null;
  return {
    // JD ships its own orders (京东物流); the name is still normalized in case a parcel goes by another carrier.
    carrier: p.carrier ? normalizeCarrier(p.carrier) : 'JD',
    trackingNo: p.waybill,
    items: p.sku.map((s) => ({ supplierSkuId: String(s.skuId), quantity: s.num })),
    events: p.track.map((t) => ({ status: TRACK[t.operateState] ?? 'in_transit', at: iso(t.msgTime), description: t.content })),
  };
}

function parcelStatus(parcels: JdParcel[]): SupplierOrder['status'] {
  if (parcels.length && parcels.every((p) => p.state === 'delivered')) return 'delivered';
  if (parcels.length && parcels.every((p) => p.state !== 'waiting')) return 'shipped';
  if (parcels.some((p) => p.state !== 'waiting')) return 'partially_shipped';
  return 'accepted';
}

/** A JD order (parent with children after a split) in neutral form. */
export function toOrder(o: JdOrderBody): SupplierOrder {
  const status = o.state === 'occupied' ? 'pending_confirmation' : o.state === 'cancelled' ? 'cancelled' : parcelStatus(o.parcels);
  const children: SupplierOrder[] = o.cOrder.map((c) => ({
    supplierOrderId: String(c.jdOrderId),
    reference: o.thirdOrder,
    status: o.state === 'cancelled' ? 'cancelled' : parcelStatus([c]),
    lines: c.sku.map((s) => ({ supplierSkuId: String(s.skuId), quantity: s.num, costFen: null })),
    children: [],
    shipments: [shipment(c)].filter((s): s is Shipment => s !== null),
    vouchers: [],
    freightFen: 0,
    updatedAt: null,
  }));
  return {
    supplierOrderId: String(o.jdOrderId),
    reference: o.thirdOrder,
    status,
    lines: o.sku.map((s) => ({ supplierSkuId: String(s.skuId), quantity: s.num, costFen: fen(s.price) })),
    children,
    shipments: o.parcels.map(shipment).filter((s): s is Shipment => s !== null),
    vouchers: [],
    freightFen: fen(o.freight) ?? 0,
    updatedAt: null,
  };
}

/** JD after-sale steps (ours): 10 applied, 20 approved, 30 rejected, 40 goods received, 50 refunded, 60 done. */
export function toAfterSaleStatus(step: number): AfterSaleStatus {
  return ({ 10: 'pending', 20: 'approved', 30: 'rejected', 40: 'received', 50: 'refunded', 60: 'completed' } as Record<number, AfterSaleStatus>)[step] ?? 'pending';
}

/** A service order in neutral form; `supplierOrderId` is the order it was applied on, when JD's answer does not name it. */
export function toAfterSale(r: JdAfterSaleBody, supplierOrderId: string): AfterSale {
  const status = toAfterSaleStatus(r.afsServiceStep ?? 10);
  const refundFen = fen(r.refundPrice);
  return {
    afterSaleId: String(r.afsServiceId),
    supplierOrderId: r.jdOrderId === undefined ? supplierOrderId : String(r.jdOrderId),
    status,
    updatedAt: null,
    ...(status === 'rejected' && r.approveNotes ? { reason: r.approveNotes } : {}),
    ...(refundFen !== null ? { refundFen } : {}),
    ...(r.approvedNum !== undefined ? { units: r.approvedNum } : {}),
    ...(r.exchangeWaybill?.deliveryOrderId ? { replacement: { carrier: normalizeCarrier(r.exchangeWaybill.carrier ?? '京东物流'), trackingNo: r.exchangeWaybill.deliveryOrderId } } : {}),
  };
}

const CATALOG_CHANGE: Record<number, 'price' | 'listing' | 'pool' | 'product'> = { 2: 'price', 4: 'listing', 6: 'pool', 16: 'product' };

/**
 * A message from the pool in neutral form. Types 1–16 follow JD VOP's numbering, 31 is ours:
 * 1 split, 2 price, 4 on/off shelf, 5 delivered, 6 pool add/remove, 10 cancelled, 12 delivery note
 * (shipped), 14 payment failed, 16 product info, 31 after-sale step. Order messages name the parent
 * order (`pOrder`) when the parcel is a child, so the hub finds the order it submitted.
 */
export function toEvents(m: InboundMessage): SupplierEvent[] {
  const msg = JSON.parse(m.raw) as JdMessage;
  const r = msg.result;
  const order = String(r.pOrder ?? r.orderId ?? '');
  const at = iso(msg.time);
  // A child's parcel names both; the hub knows the parent (it submitted it) and keeps one shipment per child.
  const child = r.pOrder !== undefined && r.orderId !== undefined && String(r.orderId) !== String(r.pOrder) ? { childOrderId: String(r.orderId) } : {};
  switch (msg.type) {
    case 1:
      return [{ type: 'order.split', supplierOrderId: String(r.pOrder), childOrderIds: ((r.cOrders as number[] | undefined) ?? []).map(String), at }];
    case 12: {
      const trackingNo = String(r.waybill ?? '');
      const carrier = typeof r.carrier === 'string' ? normalizeCarrier(r.carrier) : 'JD';
      return [{ type: 'order.shipped', supplierOrderId: order, ...child, shipment: { carrier, trackingNo, items: [], events: [{ status: 'picked_up', at, description: '已发货' }] }, at }];
    }
    case 5:
      return [{ type: 'order.delivered', supplierOrderId: order, ...child, ...(r.waybill ? { trackingNo: String(r.waybill) } : {}), at }];
    case 10:
      return [{ type: 'order.cancelled', supplierOrderId: order, at }];
    case 14:
      return [{ type: 'order.updated', supplierOrderId: order, status: 'failed', at }];
    case 31:
      return [{ type: 'aftersale.updated', afterSaleId: String(r.afsServiceId), supplierOrderId: order, status: toAfterSaleStatus(Number(r.step)), at }];
    default: {
      const change = CATALOG_CHANGE[msg.type];
      if (!change || r.skuId === undefined) return [];
      // Type 6 says whether the SKU joined (state 1) or left (state 2) one of our product pools.
      return [{ type: 'catalog.changed', supplierSkuIds: [String(r.skuId)], change, at, ...(msg.type === 6 ? { removedFromPool: Number(r.state) === 2 } : {}) }];
    }
  }
}
