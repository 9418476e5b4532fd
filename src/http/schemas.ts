import { z } from '@hono/zod-openapi';

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
