/**
 * The one interface every supplier adapter implements. Connectors speak their supplier's wire
 * format and return these neutral shapes; they know nothing of orders, malls or points: a workflow
 * decides what to do with what they return.
 */

export type SupplierKind = 'jd' | 'taobao' | 'brand' | 'topup';
export type ItemKind = 'physical' | 'virtual' | 'service';
export type VirtualType = 'phone_topup' | 'data' | 'video_membership' | 'voucher';
export type Carrier = 'SF' | 'JD' | 'ZTO' | 'YTO' | 'STO' | 'YUNDA' | 'EMS' | 'OTHER';
export type TrackingStatus = 'picked_up' | 'in_transit' | 'out_for_delivery' | 'delivered' | 'exception' | 'returned_to_sender';

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

/** An HTTP request as a webhook route received it. */
export interface WebhookRequest {
  headers: Record<string, string | undefined>;
  rawBody: string;
}

/** What to answer the supplier once the message is stored (each supplier expects its own form). */
export interface WebhookAck {
  status: number;
  contentType: string;
  body: string;
}

/** Suppliers that push: verify and identify a webhook, and say how to acknowledge it. */
export interface WebhookInbound {
  mode: 'webhook';
  /** Verifies the signature and freshness; throws SupplierError('bad_signature') when it fails. */
  verify(req: WebhookRequest, now: Date): InboundMessage;
  ack: WebhookAck;
  parse(message: InboundMessage): SupplierEvent[];
}

/** Suppliers that are polled (JD's message pool): fetch, then delete only after storing. */
export interface PollInbound {
  mode: 'poll';
  /** The message types that report catalog changes (price, listing, pool, product). */
  catalogTypes: readonly number[];
  /** The message types that report order changes (split, shipped, delivered, cancelled, after-sale). */
  orderTypes: readonly number[];
  fetch(types: readonly number[]): Promise<InboundMessage[]>;
  acknowledge(eventIds: readonly string[]): Promise<void>;
  parse(message: InboundMessage): SupplierEvent[];
}

export interface ConnectorCapabilities {
  kinds: ItemKind[];
  /** Submit leaves the order pending until confirmOrder (JD's two phases). */
  needsConfirm: boolean;
  /** Whether cancelOrder can still succeed after confirmation / acceptance. */
  cancelAfterConfirm: boolean;
  /**
   * How the supplier reports catalog changes between full syncs: `message-pool` (JD: change
   * messages name SKUs, re-read with getSkus), `updated-since` (listCatalog honours updatedSince),
   * `full-list` (no change times: the whole, small, list is read again).
   */
  catalogUpdates: 'message-pool' | 'updated-since' | 'full-list';
}

/** Circuit and call statistics of one connector, for routing and /admin/suppliers. */
export interface ConnectorHealth {
  circuit: 'closed' | 'open' | 'half_open';
  inFlight: number;
}

/** The adapter for one supplier account. */
export interface SupplierConnector {
  /** Supplier id as the hub knows it: 'jd', 'taobao', 'brand-acme', 'topup-fulu'. */
  readonly id: string;
  readonly kind: SupplierKind;
  readonly capabilities: ConnectorCapabilities;

  listCatalog(query: CatalogQuery): Promise<CatalogPage>;
  /**
   * The current listing of the given SKUs (those the supplier no longer lists are left out), for
   * message-driven refreshes; required when `catalogUpdates` is `message-pool`.
   */
  getSkus?(supplierSkuIds: readonly string[]): Promise<SupplierSku[]>;
  getOffers(supplierSkuIds: readonly string[], region: Region): Promise<Offer[]>;
  /** Whether the supplier can deliver to the region at all (JD maps names to its area ids). */
  resolveRegion(region: Region): Promise<{ serviceable: boolean; supplierRegionId?: string }>;

  /** Idempotent on `reference`: a repeat returns the existing order, never a second one. */
  submitOrder(req: SupplierOrderRequest): Promise<SupplierOrder>;
  /** Finds the order for a reference (how a lost submit response is resolved), or null. */
  findOrder(reference: string): Promise<SupplierOrder | null>;
  /** Second phase where the supplier needs it (JD); a no-op elsewhere. */
  confirmOrder(supplierOrderId: string): Promise<void>;
  getOrder(supplierOrderId: string): Promise<SupplierOrder>;
  /** Cancels, or throws SupplierError('not_cancellable'). */
  cancelOrder(supplierOrderId: string): Promise<void>;

  applyAfterSale(req: AfterSaleRequest): Promise<AfterSale>;
  getAfterSale(afterSaleId: string): Promise<AfterSale>;

  readonly inbound: WebhookInbound | PollInbound;
  health(): ConnectorHealth;
}
