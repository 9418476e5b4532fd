import type { HubApp } from '../../app-type.ts';
import { registerAftersaleRoutes } from './aftersales.ts';
import { registerAvailability } from './availability.ts';
import { registerBoardRoutes } from './board.ts';
import { registerCatalogRoutes } from './catalog.ts';
import { registerCatalogCategories } from './catalog-categories.ts';
import { registerCatalogChanges } from './catalog-changes.ts';
import { registerEventRoutes } from './events.ts';
import { registerGetOwnMall } from './get-own-mall.ts';
import { registerListOrders } from './list-orders.ts';
import { registerOrderRoutes } from './orders.ts';
import { registerUpdateOwnMall } from './update-own-mall.ts';
import { registerVoucherRoutes } from './vouchers.ts';

/** Mall routes (mall API key, rate limited per mall). */
export function registerMallRoutes(app: HubApp): void {
  registerGetOwnMall(app);
  registerUpdateOwnMall(app);
  registerEventRoutes(app);
  registerCatalogRoutes(app);
  registerCatalogCategories(app);
  registerAvailability(app);
  registerCatalogChanges(app);
  registerOrderRoutes(app);
  registerListOrders(app);
  registerVoucherRoutes(app);
  registerAftersaleRoutes(app);
  registerBoardRoutes(app);
}
