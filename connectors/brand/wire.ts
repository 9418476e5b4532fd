/**
 * The brand REST wire format (suppliers.md "Brand suppliers"), as zod schemas the connector checks
 * answers against and types the sandbox builds answers from. Field names not fixed by suppliers.md
 * are ours: keep them stable, recorded samples and tests depend on them.
 * Amounts are integers in fen (the currency's minor unit), Stripe style: `{amount, currency}`.
 */
import { z } from 'zod';

/** Money in fen. */
export const Money = z.object({ amount: z.number().int(), currency: z.literal('CNY') });
export type Money = z.infer<typeof Money>;

/** `{"error": {"type", "message"}}`, the body of every 4xx/5xx. */
export const ErrorBody = z.object({ error: z.object({ type: z.string(), message: z.string(), productId: z.string().optional() }) });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** One product, as `/v1/products` pages and the bulk feed lines carry it. */
export const Product = z.object({
  id: z.string(),
  kind: z.enum(['physical', 'service']),
  title: z.string(),
  brand: z.string().nullable(),
  model: z.string().nullable(),
  gtin: z.string().nullable(),
  category: z.object({ id: z.string(), path: z.array(z.string()) }),
  images: z.array(z.string()),
  attributes: z.record(z.string(), z.string()),
  msrp: Money.nullable(),
  /** What the brand charges the hub. */
  price: Money,
  status: z.enum(['active', 'inactive']),
  /** Stock at the brand's default listing region (Beijing), a listing signal only. */
  stock: z.object({ province: z.string(), quantity: z.number().int() }).nullable(),
  weightGrams: z.number().int().nullable(),
  updatedAt: z.string(),
});
export type Product = z.infer<typeof Product>;

/** `GET /v1/products` answer. */
export const ProductPage = z.object({ data: z.array(Product), nextCursor: z.string().nullable() });
export type ProductPage = z.infer<typeof ProductPage>;

/** One row of `GET /v1/inventory?productIds=&province=` (ours): live price and stock in one province. */
export const InventoryRow = z.object({
  productId: z.string(),
  status: z.enum(['active', 'inactive']),
  price: Money,
  province: z.string(),
  quantity: z.number().int(),
  /** False when the brand does not deliver this product to the province. */
  deliverable: z.boolean(),
});
export type InventoryRow = z.infer<typeof InventoryRow>;
export const InventoryList = z.object({ data: z.array(InventoryRow) });

export const OrderStatus = z.enum(['accepted', 'backordered', 'shipped', 'in_transit', 'delivered', 'cancelled', 'issued']);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const TrackingEvent = z.object({
  status: z.string(),
  at: z.string(),
  location: z.string().optional(),
  description: z.string(),
});
export type TrackingEvent = z.infer<typeof TrackingEvent>;

export const Shipment = z.object({
  /** The carrier's name as the brand's warehouse prints it (SF Express, 中通快递, …). */
  carrier: z.string(),
  trackingNumber: z.string(),
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int() })),
  shippedAt: z.string(),
  events: z.array(TrackingEvent),
});
export type Shipment = z.infer<typeof Shipment>;

export const Voucher = z.object({ productId: z.string(), code: z.string(), pin: z.string().optional(), expiresAt: z.string().optional() });
export type Voucher = z.infer<typeof Voucher>;

/** A brand order; `clientReference` is the hub's reference. */
export const Order = z.object({
  id: z.string(),
  clientReference: z.string(),
  status: OrderStatus,
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int(), kind: z.enum(['physical', 'service']), unitPrice: Money })),
  shippingFee: Money,
  shipments: z.array(Shipment),
  vouchers: z.array(Voucher),
  cancellationReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Order = z.infer<typeof Order>;
export const OrderList = z.object({ data: z.array(Order) });

/** `POST /v1/orders` body. */
export const CreateOrder = z.object({
  clientReference: z.string().min(1).max(128),
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int().min(1).max(999) })).min(1).max(50),
  shippingAddress: z
    .object({ name: z.string(), phone: z.string(), province: z.string(), city: z.string(), district: z.string(), line1: z.string() })
    .optional(),
  /** Where e-voucher codes are sent by SMS, for service products. */
  voucherPhone: z.string().optional(),
});
export type CreateOrder = z.infer<typeof CreateOrder>;

/** requested → approved → received (goods back) → refunded, or completed for an exchange (its replacement shipped); rejected at review. */
export const ReturnStatus = z.enum(['requested', 'approved', 'received', 'rejected', 'refunded', 'completed']);
export type ReturnStatus = z.infer<typeof ReturnStatus>;

/**
 * A return (after-sale) at the brand. Set once the brand has reviewed it (ours): `approvedItems`
 * (what it accepted, possibly fewer units than asked), `refundAmount` (what it refunds; null for an
 * exchange); `rejectionReason` when it refused; `replacement`, an exchange's parcel once shipped.
 */
export const Return = z.object({
  id: z.string(),
  orderId: z.string(),
  clientReference: z.string(),
  type: z.enum(['return', 'exchange', 'refund']),
  status: ReturnStatus,
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int() })),
  reason: z.string(),
  rejectionReason: z.string().nullable(),
  approvedItems: z.array(z.object({ productId: z.string(), quantity: z.number().int() })).optional(),
  refundAmount: Money.nullable().optional(),
  replacement: Shipment.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Return = z.infer<typeof Return>;

/** `POST /v1/returns` body. */
export const CreateReturn = z.object({
  orderId: z.string(),
  clientReference: z.string().min(1).max(128),
  type: z.enum(['return', 'exchange', 'refund']),
  items: z.array(z.object({ productId: z.string(), quantity: z.number().int().min(1) })).min(1),
  reason: z.string(),
  photos: z.array(z.string()).optional(),
});
export type CreateReturn = z.infer<typeof CreateReturn>;

export const EVENT_TYPES = [
  'order.accepted',
  'order.backordered',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
  'return.approved',
  'return.received',
  'return.rejected',
  'return.refunded',
  'return.completed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** `data` of order events: always the order id and reference, plus what the step adds. */
export const OrderEventData = z.object({
  orderId: z.string(),
  clientReference: z.string().optional(),
  status: OrderStatus.optional(),
  shipment: Shipment.optional(),
  trackingNumber: z.string().optional(),
  reason: z.string().optional(),
});
export type OrderEventData = z.infer<typeof OrderEventData>;

/** `data` of return events. */
export const ReturnEventData = z.object({
  returnId: z.string(),
  orderId: z.string().optional(),
  clientReference: z.string().optional(),
  status: ReturnStatus.optional(),
  reason: z.string().optional(),
});
export type ReturnEventData = z.infer<typeof ReturnEventData>;

/** A webhook event `{id, type, created, data}`; `data` is read per type. */
export const WebhookEvent = z.object({ id: z.string().min(1), type: z.string(), created: z.string(), data: z.record(z.string(), z.unknown()) });
export type WebhookEvent = z.infer<typeof WebhookEvent>;
