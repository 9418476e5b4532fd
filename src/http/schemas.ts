import { z } from '@hono/zod-openapi';

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
  .openapi('PricingOverrides');

/** Which items of the hub's catalog a mall sells; each list narrows it when given. */
export const CatalogSelectionSchema = z
  .object({
    kinds: z.array(z.enum(['physical', 'virtual', 'service'])).max(3),
    categories: z.array(z.string().min(1).max(64)).max(500).openapi({ description: 'Canonical category ids at any level (GET /v1/catalog/categories)' }),
    brands: z.array(z.string().min(1).max(100)).max(5_000),
    pointsMin: z.number().int().min(0),
    pointsMax: z.number().int().min(0),
    excludedSkuIds: z.array(z.string().min(1).max(64)).max(50_000),
  })
  .partial()
  .strict()
  .refine((s) => s.pointsMin === undefined || s.pointsMax === undefined || s.pointsMin <= s.pointsMax, { message: 'pointsMin must not exceed pointsMax', path: ['pointsMin'] })
  .openapi('CatalogSelection');


/** Schemas shared by several routes. */
export const MallSchemaView = z
  .object({
    mallId: z.string().openapi({ example: 'mall_0196a3c2e1f07c3a8b1d2e3f4a5b6c7d' }),
    name: z.string(),
    status: z.enum(['active', 'suspended']).or(z.string()),
    webhookUrl: z.string(),
    webhookEnabled: z.boolean(),
    pointsPerYuan: z.number().int(),
    rateLimit: z.object({ perSec: z.number().int(), burst: z.number().int() }),
    pricing: z.object({ markupBp: z.number().int(), step: z.number().int(), floorFromPoints: z.number().int(), floorMaxCostBp: z.number().int(), cashShareBp: z.number().int() }).openapi('PricingRule'),
    catalogSelection: CatalogSelectionSchema,
    pricingStatus: z.object({
      version: z.number().int(),
      pricedVersion: z.number().int(),
      state: z.enum(['current', 'repricing']).openapi({ description: 'repricing: a worker is applying the latest rule or selection to the catalog' }),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Mall');

export const MallIdParam = z.object({
  mallId: z.string().min(1).max(64).openapi({ param: { name: 'mallId', in: 'path' }, example: 'mall_0196a3c2e1f07c3a8b1d2e3f4a5b6c7d' }),
});

/** Security requirement for mall API keys. */
export const mallSecurity = [{ mallApiKey: [] }];
/** Security requirement for staff (agent/admin) tokens. */
export const staffSecurity = [{ staffToken: [] }];
