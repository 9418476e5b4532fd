import { z } from '@hono/zod-openapi';
import { TRACKING_STATUSES } from '../../../domain/supplier-shapes.ts';
import { CarrierSchema, ItemKindSchema, LineStatusSchema, OrderStatusSchema, pathParam, Timestamp, TrackingStatusSchema } from '../../schemas.ts';

/** The order view every order operation answers (GET /v1/orders/{orderId}, the list, intake, cancel). */

const TrackingEvent = z.object({
  status: TrackingStatusSchema,
  at: Timestamp.openapi({ description: 'When the carrier recorded it' }),
  location: z.string().optional().openapi({ example: '北京市朝阳区' }),
  description: z.string().openapi({ example: '快件已由【北京望京营业部】揽收' }),
});

const Line = z
  .object({
    lineId: z.string().openapi({ description: 'The mall’s line id, as sent' }),
    skuId: z.string(),
    kind: ItemKindSchema,
    quantity: z.number().int(),
    status: LineStatusSchema,
    quantityFulfilled: z.number().int().openapi({ description: 'Units delivered or issued' }),
    quantityFailed: z.number().int().openapi({ description: 'Units no source could fulfil (refunded)' }),
    quantityCancelled: z.number().int().openapi({ description: 'Units cancelled at the mall’s request (refunded)' }),
    pointsPaid: z.number().int().openapi({ description: 'Line total, as ordered' }),
    cashPaidFen: z.number().int().openapi({ description: 'Line total in fen, as ordered' }),
    source: z.string().nullable().openapi({ description: 'Supplier fulfilling the line (null before one is chosen)', example: 'jd' }),
    failureReason: z.string().nullable().openapi({ description: 'Why the line failed or was cancelled (null otherwise)' }),
    shipments: z
      .array(z.object({
        carrier: CarrierSchema,
        trackingNo: z.string(),
        status: z.enum(['pending', ...TRACKING_STATUSES]).openapi({ description: 'The parcel’s latest tracking status (`pending`: the waybill is known, no scan yet)' }),
        events: z.array(TrackingEvent).openapi({ description: 'Oldest first' }),
      }))
      .openapi({ description: 'Parcels of the line that have a waybill (a JD split gives several), with their tracking timeline' }),
    issuance: z
      .object({
        status: LineStatusSchema.openapi({ description: 'The line’s status' }),
        vouchers: z.array(z.object({ code: z.string().openapi({ description: 'Masked: the last four characters only', example: '********8812' }), expiresAt: Timestamp.nullable() })),
      })
      .nullable()
      .openapi({ description: 'Virtual and service lines: the codes issued, masked (read them in full with GET /v1/orders/{orderId}/lines/{lineId}/vouchers); null for goods' }),
    refunds: z
      .array(z.object({ points: z.number().int(), cashFen: z.number().int(), units: z.number().int(), reason: z.string().nullable(), at: Timestamp }))
      .openapi({ description: 'What the mall must give back for this line: one entry per failure or cancellation' }),
  })
  .openapi('OrderLine');

export const Order = z
  .object({
    orderId: z.string().openapi({ example: 'ord_0196f0c1a1f07c3a8b1d2e3f4a5b6c7d' }),
    mallOrderId: z.string().openapi({ example: 'JF20261201000123' }),
    status: OrderStatusSchema,
    member: z.object({ id: z.string(), tier: z.string().nullable() }),
    createdAt: Timestamp,
    updatedAt: Timestamp.openapi({ description: 'When the order’s status or one of its lines (status, counts, source, refunds) last changed; a new tracking scan of a parcel alone does not change it (`line.tracking_updated` says it)' }),
    lines: z.array(Line).openapi({ description: 'By lineId' }),
  })
  .openapi('Order');
export type Order = z.infer<typeof Order>;

export const ORDER_ID_EXAMPLE = 'ord_0196f0c1a1f07c3a8b1d2e3f4a5b6c7d';

/** An order of two lines as the examples show it: a fridge on its way, a top-up issued. */
export const ORDER_EXAMPLE: Order = {
  orderId: ORDER_ID_EXAMPLE,
  mallOrderId: 'JF20261201000123',
  status: 'in_progress',
  member: { id: 'member-8812', tier: 'gold' },
  createdAt: '2026-12-01T01:30:00.000Z',
  updatedAt: '2026-12-01T05:30:00.000Z',
  lines: [
    {
      lineId: '1', skuId: 'sku_3f2a9c1e5b7d4e8fa0b1c2d3e4f5a6b7', kind: 'physical', quantity: 1, status: 'shipped',
      quantityFulfilled: 0, quantityFailed: 0, quantityCancelled: 0, pointsPaid: 329_900, cashPaidFen: 0, source: 'jd', failureReason: null,
      shipments: [{ carrier: 'JD', trackingNo: 'JDVA01234567890', status: 'in_transit', events: [
        { status: 'picked_up', at: '2026-12-01T05:10:00.000Z', location: '北京市大兴区', description: '您的订单已出库' },
        { status: 'in_transit', at: '2026-12-01T05:28:00.000Z', location: '北京市大兴区', description: '快件已到达【北京大兴分拣中心】' },
      ] }],
      issuance: null, refunds: [],
    },
    {
      lineId: '2', skuId: 'sku_8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f', kind: 'virtual', quantity: 1, status: 'issued',
      quantityFulfilled: 1, quantityFailed: 0, quantityCancelled: 0, pointsPaid: 5_800, cashPaidFen: 0, source: 'topup-fulu', failureReason: null,
      shipments: [], issuance: { status: 'issued', vouchers: [] }, refunds: [],
    },
  ],
};

export const OrderIdParam = z.object({ orderId: pathParam('orderId', z.string().min(1).max(64), 'The hub order id (`ord_…`), as POST /v1/orders answered it', ORDER_ID_EXAMPLE) });
