import { readFile, writeFile } from 'node:fs/promises';
import type { HubDeps } from '../deps.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { MallSchema } from '../persistence/entities/mall.ts';
import { newBearerSecret, TOKEN_PREFIX } from '../security/tokens.ts';

/** What `npm start` keeps in the git-ignored local file so a newcomer can find the keys again. */
export interface LocalSecrets {
  adminToken: string;
  demoMall?: { mallId: string; apiKey: string; webhookSecret: string };
}

const DEMO_NAME = 'Demo mall (sandbox)';

/** Reads the local secrets file, or returns null when there is none (or it is unreadable). */
export async function readLocalSecrets(path: string): Promise<LocalSecrets | null> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as LocalSecrets;
    return typeof v.adminToken === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** A stable admin token for sandbox mode: from HUB_ADMIN_TOKEN, else the local file, else a new one. */
export async function sandboxAdminToken(path: string, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  return (await readLocalSecrets(path))?.adminToken ?? newBearerSecret(TOKEN_PREFIX.staffToken);
}

/**
 * Makes sure a demo mall exists and that `secrets.demoMall` holds a working key for it: reuses the
 * key in the local file when it still verifies, otherwise creates the mall (or rotates its key).
 */
export async function ensureDemoMall(deps: HubDeps, adminToken: string, webhookUrl: string): Promise<LocalSecrets> {
  const path = deps.config.localFile;
  const saved = await readLocalSecrets(path);
  const em = deps.orm.em.fork();
  if (saved?.demoMall) {
    const v = await deps.credentials.verify(em, saved.demoMall.apiKey);
    if (v?.principal.kind === 'mall' && v.principal.mallId === saved.demoMall.mallId) {
      const secrets = { adminToken, demoMall: saved.demoMall };
      await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
      return secrets;
    }
  }
  const actor = { actorType: 'system' as const, actorId: 'npm-start' };
  const demoMall = await em.transactional(async (tx) => {
    const existing = await tx.findOne(MallSchema, { name: DEMO_NAME });
    if (existing) {
      const { apiKey } = await deps.malls.rotateKey(tx, existing.id, 0, actor.actorId);
      const { webhookSecret } = await deps.malls.rotateWebhookSecret(tx, existing.id);
      existing.webhookUrl = webhookUrl;
      recordAudit(tx, deps.clock, { actor, action: 'mall.demo.rekey', resourceType: 'mall', resourceId: existing.id, mallId: existing.id });
      return { mallId: existing.id, apiKey, webhookSecret };
    }
    const r = deps.malls.create(tx, { name: DEMO_NAME, webhookUrl }, actor.actorId);
    recordAudit(tx, deps.clock, { actor, action: 'mall.create', resourceType: 'mall', resourceId: r.mall.id, mallId: r.mall.id });
    return { mallId: r.mall.id, apiKey: r.apiKey, webhookSecret: r.webhookSecret };
  });
  const secrets = { adminToken, demoMall };
  await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
