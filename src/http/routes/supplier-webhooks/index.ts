import type { HubApp } from '../../app-type.ts';
import { registerBrandWebhook } from './post-brand.ts';
import { registerTaobaoWebhook } from './post-taobao.ts';
import { registerTopupWebhook } from './post-topup.ts';

/** Supplier webhooks (no bearer auth: each is verified with its supplier's own signature). */
export function registerSupplierWebhookRoutes(app: HubApp): void {
  registerTaobaoWebhook(app);
  registerBrandWebhook(app);
  registerTopupWebhook(app);
}
