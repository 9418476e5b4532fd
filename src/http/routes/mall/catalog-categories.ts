import { createRoute, z } from '@hono/zod-openapi';
import { type CategoryTree, categoryTree } from '../../../domain/taxonomy.ts';
import type { HubApp } from '../../app-type.ts';
import { errorResponses } from '../../errors.ts';
import { mallSecurity } from '../../schemas.ts';

// Three levels, spelled out (the tree is never deeper): leaf, level 2, level 1.
const node = <T extends z.ZodTypeAny>(children: T) => z.object({ id: z.string(), name: z.string(), en: z.string(), children: z.array(children) });
const Leaf = node(z.object({})).openapi('CategoryLeaf', { description: 'A leaf: children is always empty' });
const Level2 = node(Leaf).openapi('CategoryLevel2');
const Level1 = node(Level2).openapi('CategoryLevel1');

const route = createRoute({
  method: 'get',
  path: '/v1/catalog/categories',
  operationId: 'listCatalogCategories',
  tags: ['Catalog'],
  summary: 'The canonical three-level category tree (ids for `category` filters and catalog selections)',
  security: mallSecurity,
  responses: {
    200: {
      description: 'Level 1 categories with their children',
      content: { 'application/json': { schema: z.object({ items: z.array(Level1) }) } },
    },
    ...errorResponses(401, 429),
  },
});

// The tree is static data: built once.
const tree: CategoryTree[] = categoryTree();

/** GET /v1/catalog/categories */
export function registerCatalogCategories(app: HubApp): void {
  app.openapi(route, (c) => c.json({ items: tree as z.infer<typeof Level1>[] }, 200));
}
