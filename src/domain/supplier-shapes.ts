/**
 * The neutral shapes suppliers are spoken of in: SKUs, offers, orders, shipments, vouchers,
 * after-sales and the events suppliers send, with no supplier's wire format in them. Connectors
 * return them and the hub's domain, services and workflows read them; they live in the domain so
 * that both import them and the domain imports no connector (CI checks it: .dependency-cruiser.cjs).
 */

/** Which API a supplier account speaks: JD VOP, Taobao TOP 供销, the brands' shared REST API, a recharge platform. */
export const SUPPLIER_KINDS = ['jd', 'taobao', 'brand', 'topup'] as const;
export type SupplierKind = (typeof SUPPLIER_KINDS)[number];
/** A connector's circuit breaker: `closed` (calling), `open` (not calling, after repeated failures), `half_open` (one trial call). */
export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];
/** What an item is: goods shipped to an address, a recharge or code issued online, or a brand's e-voucher. */
export const ITEM_KINDS = ['physical', 'virtual', 'service'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
export type VirtualType = 'phone_topup' | 'data' | 'video_membership' | 'voucher';
/** The carriers the hub names (a supplier's own name for one is mapped to these; anything else is OTHER). */
export const CARRIERS = ['SF', 'JD', 'ZTO', 'YTO', 'STO', 'YUNDA', 'EMS', 'OTHER'] as const;
export type Carrier = (typeof CARRIERS)[number];
/** Where a parcel is, as its tracking timeline says. */
export const TRACKING_STATUSES = ['picked_up', 'in_transit', 'out_for_delivery', 'delivered', 'exception', 'returned_to_sender'] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

/** A delivery region by name, as malls send it (北京 / 北京市 / 朝阳区). */
export interface Region {
  province: string;
  city: string;
  district: string;
  town?: string;
}

/** One SKU as a supplier lists it, in neutral form (categories still in the supplier's own naming). */
export interface SupplierSku {
  supplierSkuId: string;
  title: string;
  brand: string | null;
  model: string | null;
  gtin: string | null;
  kind: ItemKind;
  /** The supplier's own category names, top level first. */
  categoryPath: string[];
  /** The supplier's own category id for the leaf, when it has one. */
  supplierCategoryId: string | null;
  images: string[];
  attributes: Record<string, string>;
  marketPriceFen: number | null;
  costFen: number;
  onShelf: boolean;
  /** Stock in the supplier's default listing region, when the listing carries it. */
  stock: number | null;
  /** For virtual goods: what it is (one canonical item per type + platform + face value). */
  virtual: { type: VirtualType; platform: string; faceValueFen: number } | null;
  /** ISO time of the supplier's last change, when known. */
  updatedAt: string | null;
}

/** One page of a catalog. `nextCursor` is opaque and null at the end. */
export interface CatalogPage {
  items: SupplierSku[];
  nextCursor: string | null;
}

export interface CatalogQuery {
  cursor?: string | null;
  /** Page size hint; connectors clamp to what the supplier allows. */
  limit?: number;
  /** Incremental pull: only SKUs changed at or after this time. */
  updatedSince?: Date;
}

/** Live price and stock of one SKU for one region. */
export interface Offer {
  supplierSkuId: string;
  costFen: number | null;
  /** Units available, or null when the supplier only says yes/no. */
  stock: number | null;
  available: boolean;
  /** False when the SKU cannot be sold or delivered in the region at all. */
  sellable: boolean;
}

/** What the hub asks a supplier to fulfil. `reference` is the hub's idempotency reference. */
export interface SupplierOrderRequest {
  /** thirdOrder (JD), distributor order no (Taobao), clientReference (brand), customer_order_no (top-up). Never regenerated on retry. */
  reference: string;
  lines: { supplierSkuId: string; quantity: number }[];
  recipient?: { name: string; phone: string; province: string; city: string; district: string; address: string };
  /** Phone number or platform account for virtual goods. */
  rechargeAccount?: string;
}

export type SupplierOrderStatus =
  | 'pending_confirmation' // JD: stock pre-occupied, needs confirmOrder
  | 'accepted' // the supplier will fulfil it
  | 'backordered'
  | 'processing' // virtual: issuing
  | 'shipped'
  | 'partially_shipped'
  | 'delivered'
  | 'issued' // virtual: done, vouchers (if any) returned
  | 'cancelled'
  | 'failed'; // definite failure (virtual recharge failed, supplier rejected after acceptance)

export interface TrackingEvent {
  status: TrackingStatus;
  at: string;
  location?: string;
  description: string;
}

export interface Shipment {
  carrier: Carrier;
  trackingNo: string;
  /** The lines (SKU and units) in this parcel. */
  items: { supplierSkuId: string; quantity: number }[];
  events: TrackingEvent[];
}

export interface Voucher {
  code: string;
  password?: string;
  expiresAt?: string;
}

/** A supplier's order in neutral form; JD splits appear as `children`. */
export interface SupplierOrder {
  supplierOrderId: string;
  reference: string;
  status: SupplierOrderStatus;
  lines: { supplierSkuId: string; quantity: number; costFen: number | null }[];
  children: SupplierOrder[];
  shipments: Shipment[];
  vouchers: Voucher[];
  freightFen: number;
  failureReason?: string;
  updatedAt: string | null;
}

export type AfterSaleType = 'return' | 'exchange' | 'refund';
export type AfterSaleStatus = 'pending' | 'approved' | 'rejected' | 'received' | 'refunded' | 'completed' | 'cancelled';

export interface AfterSaleRequest {
  supplierOrderId: string;
  supplierSkuId: string;
  quantity: number;
  type: AfterSaleType;
  reason: string;
  photos?: string[];
  /** Idempotency reference for the after-sale itself. */
  reference: string;
}

export interface AfterSale {
  afterSaleId: string;
  supplierOrderId: string;
  status: AfterSaleStatus;
  updatedAt: string | null;
  /** Why the supplier refused it (status `rejected`), in the supplier's words. */
  reason?: string;
  /**
   * What the supplier refunds the hub, integer fen, once it has agreed an amount (approved on); it
   * can be less than asked. Absent for an exchange and before the supplier has reviewed it.
   */
  refundFen?: number;
  /** Units the supplier accepted once it reviewed the after-sale; can be fewer than asked. */
  units?: number;
  /** An exchange's replacement parcel, once the supplier has shipped it. */
  replacement?: { carrier: Carrier; trackingNo: string };
}

/** A supplier event in neutral form, from a webhook or a polled message. */
export type SupplierEvent =
  | { type: 'order.updated'; supplierOrderId: string; reference?: string; status?: SupplierOrderStatus; at: string }
  | { type: 'order.split'; supplierOrderId: string; childOrderIds: string[]; at: string }
  /** `childOrderId`: the child order (JD split) the parcel belongs to, when the supplier names one. */
  | { type: 'order.shipped'; supplierOrderId: string; reference?: string; childOrderId?: string; shipment: Shipment; at: string }
  | { type: 'order.delivered'; supplierOrderId: string; reference?: string; childOrderId?: string; trackingNo?: string; at: string }
  | { type: 'order.cancelled'; supplierOrderId: string; reference?: string; reason?: string; at: string }
  | { type: 'order.issued'; supplierOrderId: string; reference: string; at: string }
  | { type: 'order.failed'; supplierOrderId: string; reference: string; reason: string; at: string }
  | { type: 'aftersale.updated'; afterSaleId: string; supplierOrderId?: string; status: AfterSaleStatus; at: string }
  | { type: 'catalog.changed'; supplierSkuIds: string[]; change: 'price' | 'stock' | 'listing' | 'product' | 'pool'; at: string; removedFromPool?: boolean };

/** A raw inbound message: what the hub stores before acknowledging (dedup on `eventId`). */
export interface InboundMessage {
  eventId: string;
  eventType: string;
  /** The message exactly as received, for the durable store and for `parse`. */
  raw: string;
}
