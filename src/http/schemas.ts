import { z } from '@hono/zod-openapi';
import { STOCK_STATUSES } from '../domain/catalog-keys.ts';
import { MALL_STATUSES } from '../domain/mall-status.ts';
import { LINE_STATUSES, ORDER_STATUSES } from '../domain/order-status.ts';
import { STAFF_ROLES } from '../domain/principal.ts';
import { CARRIERS, ITEM_KINDS, TRACKING_STATUSES } from '../domain/supplier-shapes.ts';

/*
 * Schemas shared by several routes, and the building blocks of the OpenAPI conventions
 * (src/http/openapi-conventions.ts): every timestamp is a `Timestamp`, every status-like field a
 * closed enum built from the domain's constant list, every parameter made with `pathParam` /
 * `queryParam` (a description and an example each).
 */

/** An instant as the hub writes it: RFC 3339 in UTC with milliseconds (`format: date-time`). */
export const Timestamp = z.iso.datetime().openapi({ example: '2026-12-01T01:30:00.000Z' });

/** Closed enums of the domain's constant lists, each a named component. */
export const ItemKindSchema = z.enum(ITEM_KINDS).openapi('ItemKind', { description: '`physical`: goods shipped to an address; `virtual`: a recharge, membership or code issued online; `service`: a brand e-voucher', example: 'physical' });
export const StockStatusSchema = z.enum(STOCK_STATUSES).openapi('StockStatus', { description: 'Synced listing stock: `low` is 10 units or fewer', example: 'in_stock' });
export const MallStatusSchema = z.enum(MALL_STATUSES).openapi('MallStatus', { description: 'The keys of a `suspended` mall are refused (401)', example: 'active' });
export const StaffRoleSchema = z.enum(STAFF_ROLES).openapi('StaffRole', { description: '`agent`: support staff, who may read (malls, webhook deliveries, dead letters, the catalog); `admin`: everything', example: 'agent' });
export const CarrierSchema = z.enum(CARRIERS).openapi('Carrier', { description: "The parcel's carrier; a carrier the hub does not name is `OTHER`", example: 'SF' });
export const TrackingStatusSchema = z.enum(TRACKING_STATUSES).openapi('TrackingStatus', { description: 'Where the parcel is', example: 'in_transit' });
export const LineStatusSchema = z.enum(LINE_STATUSES).openapi('LineStatus', { description: 'See "Order and line statuses" in docs/contract.md', example: 'shipped' });
export const OrderStatusSchema = z.enum(ORDER_STATUSES).openapi('OrderStatus', { description: "Recomputed from the order's lines each time one moves", example: 'in_progress' });

type ParamExample = string | number | boolean;

/**
 * A path parameter: `schema` with its name, a description and an example, as `request.params`
 * of a route takes it (e.g. `z.object({ orderId: pathParam('orderId', Id, 'The hub order id', 'ord_…') })`).
 */
export function pathParam<T extends z.ZodType>(name: string, schema: T, description: string, example: ParamExample): T {
  return schema.openapi({ param: { name, in: 'path', description, example }, example });
}

/** A query parameter, likewise (its optionality comes from `schema`). */
export function queryParam<T extends z.ZodType>(name: string, schema: T, description: string, example: ParamExample): T {
  return schema.openapi({ param: { name, in: 'query', description, example }, example });
}

/** The hub's ids in path parameters: 1 to 64 characters. */
const IdString = z.string().min(1).max(64);

export const MALL_ID_EXAMPLE = 'mall_0196a3c2e1f07c3a8b1d2e3f4a5b6c7d';
export const MallIdParam = z.object({ mallId: pathParam('mallId', IdString, 'The mall id (`mall_…`), as POST /admin/malls returned it', MALL_ID_EXAMPLE) });

/** A mall's pricing overrides over the contract's default rule; omitted fields keep the default. */
export const PricingOverrides = z
  .object({
    markupBp: z.number().int().min(0).max(100_000).openapi({ description: 'Markup over the best cost in basis points (default 1500 = 15 %)' }),
    step: z.number().int().min(1).max(100_000).openapi({ description: 'Points are rounded up to a multiple of this (default 10)' }),
    floorFromPoints: z.number().int().min(0).max(100_000_000).openapi({ description: 'From this many points up the floor applies (default 2000)' }),
    floorMaxCostBp: z.number().int().min(1).max(10_000).openapi({ description: 'Cost at most this share of the points value (default 7000 = 70 %)' }),
    cashShareBp: z.number().int().min(0).max(10_000).openapi({ description: 'Share of the price paid in cash (cashFen), basis points (default 0)' }),
  })
  .partial()
  .strict()
  .openapi('PricingOverrides', { example: { markupBp: 1200, step: 10 } });

/** Which items of the hub's catalog a mall sells; each list narrows it when given. */
export const CatalogSelectionSchema = z
  .object({
    kinds: z.array(ItemKindSchema).max(3).openapi({ description: 'Only items of these kinds' }),
    categories: z.array(z.string().min(1).max(64)).max(500).openapi({ description: 'Canonical category ids at any level (GET /v1/catalog/categories)' }),
    brands: z.array(z.string().min(1).max(100)).max(5_000).openapi({ description: 'Only items of these brands, as the catalog names them (海尔, 美的)' }),
    pointsMin: z.number().int().min(0).openapi({ description: 'Only items priced at this many points or more' }),
    pointsMax: z.number().int().min(0).openapi({ description: 'Only items priced at this many points or fewer' }),
    excludedSkuIds: z.array(z.string().min(1).max(64)).max(50_000).openapi({ description: 'Items never sold, whatever else matches' }),
  })
  .partial()
  .strict()
  .refine((s) => s.pointsMin === undefined || s.pointsMax === undefined || s.pointsMin <= s.pointsMax, { message: 'pointsMin must not exceed pointsMax', path: ['pointsMin'] })
  .openapi('CatalogSelection', { example: { kinds: ['physical', 'virtual'], categories: ['large-appliance', 'phones'], pointsMax: 500_000 } });

/** A mall as the admin API and the mall itself see it (no secrets). */
export const MallSchemaView = z
  .object({
    mallId: z.string().openapi({ example: MALL_ID_EXAMPLE }),
    name: z.string(),
    status: MallStatusSchema,
    webhookUrl: z.string().openapi({ description: 'Where the hub POSTs events' }),
    webhookEnabled: z.boolean().openapi({ description: '`false` after the endpoint answered 410 Gone: nothing is sent until an admin enables it again' }),
    pointsPerYuan: z.number().int(),
    rateLimit: z.object({ perSec: z.number().int(), burst: z.number().int() }).openapi({ description: 'Token bucket: `burst` requests, refilled at `perSec`' }),
    pricing: z.object({ markupBp: z.number().int(), step: z.number().int(), floorFromPoints: z.number().int(), floorMaxCostBp: z.number().int(), cashShareBp: z.number().int() }).openapi('PricingRule', { description: "The rule in force: the contract's defaults with this mall's overrides" }),
    catalogSelection: CatalogSelectionSchema,
    pricingStatus: z.object({
      version: z.number().int(),
      pricedVersion: z.number().int(),
      state: z.enum(['current', 'repricing']).openapi({ description: 'repricing: a worker is applying the latest rule or selection to the catalog' }),
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Mall');
export type MallSchemaView = z.infer<typeof MallSchemaView>;

/** A mall as the examples of the document show it. */
export const MALL_EXAMPLE: MallSchemaView = {
  mallId: MALL_ID_EXAMPLE,
  name: '招行积分商城',
  status: 'active',
  webhookUrl: 'https://jf.mall-example.cn/hub-events',
  webhookEnabled: true,
  pointsPerYuan: 100,
  rateLimit: { perSec: 200, burst: 400 },
  pricing: { markupBp: 1500, step: 10, floorFromPoints: 2000, floorMaxCostBp: 7000, cashShareBp: 0 },
  catalogSelection: { kinds: ['physical', 'virtual'], categories: ['large-appliance', 'phones'] },
  pricingStatus: { version: 3, pricedVersion: 3, state: 'current' },
  createdAt: '2026-11-23T02:00:00.000Z',
  updatedAt: '2026-11-30T08:15:42.318Z',
};

/** Readiness checks, as GET /readyz answers them and its 503 `details.checks` repeats them. */
const ReadinessCheck = z.object({
  ok: z.boolean(),
  error: z.string().optional().openapi({ description: 'Why the check failed (absent when it passed)' }),
  ms: z.number().int().openapi({ description: 'How long the check took' }),
});
export const ReadinessChecks = z.object({ postgres: ReadinessCheck, redis: ReadinessCheck, migrations: ReadinessCheck }).openapi('ReadinessChecks');

/** Security requirement for mall API keys. */
export const mallSecurity = [{ mallApiKey: [] }];
/** Security requirement for staff (agent/admin) tokens. */
export const staffSecurity = [{ staffToken: [] }];
/** Security requirement of a public route (the process probes, the reference, supplier callbacks verified by signature). */
export const publicRoute: [] = [];
