import { createBrandSandbox } from './brand/index.ts';
import type { BrandSupplierId } from './brand/index.ts';
import type { Sandbox, SandboxContext } from './common/context.ts';
import { createJdSandbox } from './jd/index.ts';
import { createTaobaoSandbox } from './taobao/index.ts';
import { createTopupSandbox } from './topup/index.ts';
import type { TopupProviderId } from '../../fixtures/catalog/index.ts';

/** Credentials each sandbox accepts: the same accounts the hub's connectors are configured with. */
export interface SandboxAccounts {
  jd: { clientId: string; clientSecret: string; appKey: string; appSecret: string };
  taobao: { appKey: string; appSecret: string; session: string; refreshToken: string };
  brands: { id: string; apiKey: string; webhookSecret: string }[];
  topups: { id: string; appKey: string; appSecret: string }[];
}

/** Every built-in supplier sandbox, ready to mount on the sandbox host. */
export function createSandboxes(ctx: SandboxContext, accounts: SandboxAccounts): Sandbox[] {
  return [
    createJdSandbox(ctx, { id: 'jd', clientId: accounts.jd.clientId, clientSecret: accounts.jd.clientSecret, appKey: accounts.jd.appKey, appSecret: accounts.jd.appSecret }),
    createTaobaoSandbox(ctx, { id: 'taobao', ...accounts.taobao }),
    ...accounts.brands.map((b) => createBrandSandbox(ctx, { id: b.id as BrandSupplierId, apiKey: b.apiKey, webhookSecret: b.webhookSecret })),
    ...accounts.topups.map((t) => createTopupSandbox(ctx, { id: t.id as TopupProviderId, appKey: t.appKey, appSecret: t.appSecret })),
  ];
}
