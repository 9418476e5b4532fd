/**
 * The one interface every supplier adapter implements. Connectors speak their supplier's wire
 * format and return these neutral shapes; they know nothing of orders, malls or points: a workflow
 * decides what to do with what they return.
 */

import type { CatalogPage, CatalogQuery, CircuitState, InboundMessage, ItemKind, Offer, Region, SupplierEvent, SupplierKind, SupplierOrder, SupplierOrderRequest, SupplierSku, AfterSale, AfterSaleRequest } from '../src/domain/supplier-shapes.ts';

// The neutral shapes, for the modules that know them from here.
export type { SupplierKind, CircuitState, ItemKind, VirtualType, Carrier, TrackingStatus, Region, SupplierSku, CatalogPage, CatalogQuery, Offer, SupplierOrderRequest, SupplierOrderStatus, TrackingEvent, Shipment, Voucher, SupplierOrder, AfterSaleType, AfterSaleStatus, AfterSaleRequest, AfterSale, SupplierEvent, InboundMessage } from '../src/domain/supplier-shapes.ts';

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

/**
 * Call statistics of one connector: the attempts this process made (each retry is an attempt;
 * calls refused while the circuit is open or the queue is full reached no supplier and are not
 * counted) over the last `windowMs`. Kept by the rolling window of shared/call-window.ts and read
 * as part of `ConnectorHealth`.
 */
export interface CallStats {
  /** Attempts that finished within the window. */
  calls: number;
  /** Of those, the ones that say the supplier is unhealthy (5xx or "system busy", timeouts, network errors, unreadable answers); business refusals (stockout, not cancellable, …) are not failures. */
  failures: number;
  /** failures / calls, 0 without calls. */
  errorRate: number;
  /** Latency percentiles of the window's attempts in ms (null without calls). */
  p50Ms: number | null;
  p95Ms: number | null;
  windowMs: number;
  /** The last failure (kept beyond the window): when, and its code and message with long numbers masked and URLs left out. */
  lastErrorAt: string | null;
  lastError: string | null;
}

/** Circuit and call statistics of one connector, for routing and /admin/suppliers. */
export interface ConnectorHealth extends CallStats {
  circuit: CircuitState;
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
   * The cursors of up to `count` pages after the one `query` asks for, where the supplier addresses
   * pages by number, so they can be asked for before the page before them arrives (read-ahead:
   * src/catalog/page-reader.ts checks each guess against the nextCursor the page before returns).
   * Absent where a cursor comes only with the page before it (the brands' opaque cursors).
   */
  cursorsAfter?(query: CatalogQuery, count: number): string[];
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
  /** The prepaid balance left at the supplier, in fen, where the supplier has a balance call (top-up platforms). */
  balanceFen?(): Promise<number>;
}
