import { createRoute, z } from '@hono/zod-openapi';
import { type CategoryTree, categoryTree } from '../../../domain/taxonomy.ts';
import type { HubApp } from '../../app-type.ts';
import { jsonResponse } from '../../openapi-conventions.ts';
import { mallSecurity } from '../../schemas.ts';

// Three levels, spelled out (the tree is never deeper): leaf, level 2, level 1.
const node = <T extends z.ZodTypeAny>(children: T) =>
  z.object({
    id: z.string().openapi({ description: 'Canonical id: what `category` filters and `catalogSelection.categories` take' }),
    name: z.string().openapi({ description: 'Chinese name' }),
    en: z.string().openapi({ description: 'English name' }),
    children: z.array(children),
  });
const Leaf = node(z.object({})).openapi('CategoryLeaf', { description: 'A leaf: children is always empty' });
const Level2 = node(Leaf).openapi('CategoryLevel2');
const Level1 = node(Level2).openapi('CategoryLevel1');

const route = createRoute({
  method: 'get',
  path: '/v1/catalog/categories',
  operationId: 'listCatalogCategories',
  tags: ['Catalog'],
  summary: 'The canonical three-level category tree (ids for `category` filters and catalog selections)',
  description: 'Every item of the catalog is filed under one leaf of this tree (家用电器 > 大家电 > 冰箱). It is the same for every mall and not paged.',
  security: mallSecurity,
  responses: {
    200: jsonResponse('Level 1 categories with their children', z.object({ items: z.array(Level1) }), {
      items: [
        {
          id: 'home-appliances',
          name: '家用电器',
          en: 'Home Appliances',
          children: [
            {
              id: 'large-appliance',
              name: '大家电',
              en: 'Large Appliances',
              children: [
                { id: 'fridge', name: '冰箱', en: 'Refrigerators', children: [] },
                { id: 'washer', name: '洗衣机', en: 'Washing Machines', children: [] },
              ],
            },
          ],
        },
      ],
    }),
  },
});

// The tree is static data: built once.
const tree: CategoryTree[] = categoryTree();

/** GET /v1/catalog/categories */
export function registerCatalogCategories(app: HubApp): void {
  app.openapi(route, (c) => c.json({ items: tree as z.infer<typeof Level1>[] }, 200));
}
