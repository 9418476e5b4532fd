import type { HubApp } from '../../app-type.ts';
import { registerAdminBoardRoutes } from './board.ts';
import { registerExplainCatalogItem } from './catalog-item.ts';
import { registerCatalogSearchRoutes } from './catalog-search.ts';
import { registerCatalogSyncRoutes } from './catalog-sync.ts';
import { registerCreateMall } from './create-mall.ts';
import { registerDeadLetterRoutes } from './dead-letters.ts';
import { registerGetMall } from './get-mall.ts';
import { registerListAudit } from './list-audit.ts';
import { registerListMalls } from './list-malls.ts';
import { registerOrderRoutes } from './orders.ts';
import { registerRotateMallKey } from './rotate-mall-key.ts';
import { registerRotateWebhookSecret } from './rotate-webhook-secret.ts';
import { registerSessionRoutes } from './sessions.ts';
import { registerSupplierRoutes } from './suppliers.ts';
import { registerTicketResolutionRoutes } from './ticket-resolution.ts';
import { registerTicketRoutes } from './tickets.ts';
import { registerTokenRoutes } from './tokens.ts';
import { registerUpdateMall } from './update-mall.ts';
import { registerWebhookDeliveryActions } from './webhook-delivery-actions.ts';
import { registerWebhookDeliveryRoutes } from './webhook-deliveries.ts';

/** Admin routes (staff tokens; each route states the roles it accepts). */
export function registerAdminRoutes(app: HubApp): void {
  registerCreateMall(app);
  registerListMalls(app);
  registerGetMall(app);
  registerUpdateMall(app);
  registerRotateMallKey(app);
  registerRotateWebhookSecret(app);
  registerTokenRoutes(app);
  registerSessionRoutes(app);
  registerListAudit(app);
  registerCatalogSyncRoutes(app);
  registerCatalogSearchRoutes(app);
  registerExplainCatalogItem(app);
  registerDeadLetterRoutes(app);
  registerWebhookDeliveryRoutes(app);
  registerWebhookDeliveryActions(app);
  registerTicketRoutes(app);
  registerOrderRoutes(app);
  registerTicketResolutionRoutes(app);
  registerSupplierRoutes(app);
  registerAdminBoardRoutes(app);
}
