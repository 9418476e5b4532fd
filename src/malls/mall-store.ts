import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import type { CatalogSelection } from '../domain/catalog-selection.ts';
import { notFound } from '../domain/errors.ts';
import type { MallStatus } from '../domain/mall-status.ts';
import { type PricingRule, ruleOf } from '../domain/pricing.ts';
import { newId } from '../domain/ids.ts';
import type { CryptoBox } from '../security/crypto-box.ts';
import { newWebhookSecret } from '../security/tokens.ts';
import type { CredentialStore } from './credential-store.ts';
import { ApiCredentialSchema } from '../persistence/entities/api-credential.ts';
import { type Mall, MallSchema } from '../persistence/entities/mall.ts';

/** Fields an admin sets when creating a mall. */
export interface NewMall {
  name: string;
  webhookUrl: string;
  pointsPerYuan?: number | undefined;
  rateLimitPerSec?: number | undefined;
  rateLimitBurst?: number | undefined;
  pricing?: Partial<PricingRule> | undefined;
  catalogSelection?: CatalogSelection | undefined;
}

/** Public view of a mall (no secrets). */
export function mallView(m: Mall) {
  return {
    mallId: m.id,
    name: m.name,
    // The column's check constraint holds it to these.
    status: m.status as MallStatus,
    webhookUrl: m.webhookUrl,
    webhookEnabled: m.webhookEnabled,
    pointsPerYuan: m.pointsPerYuan,
    rateLimit: { perSec: m.rateLimitPerSec, burst: m.rateLimitBurst },
    // The rule in force (the contract's defaults with this mall's overrides) and what is sold.
    pricing: pricingView(m),
    catalogSelection: m.catalogSelection as CatalogSelection,
    pricingStatus: { version: m.pricingVersion, pricedVersion: m.pricedVersion, state: m.pricedVersion >= m.pricingVersion ? ('current' as const) : ('repricing' as const) },
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}
export type MallView = ReturnType<typeof mallView>;

function pricingView(m: Mall) {
  const { pointsPerYuan: _rate, ...rule } = ruleOf(m);
  return rule;
}

/**
 * Applies new pricing overrides and/or a new selection (each replaces the previous one) and bumps
 * the pricing version when anything that prices the catalog changed; returns whether it did, so
 * the caller enqueues a reprice after committing.
 */
export function applyCatalogSettings(m: Mall, change: { pointsPerYuan?: number | undefined; pricing?: Partial<PricingRule> | undefined; catalogSelection?: CatalogSelection | undefined }): boolean {
  const before = JSON.stringify([m.pointsPerYuan, m.pricing, m.catalogSelection]);
  if (change.pointsPerYuan !== undefined) m.pointsPerYuan = change.pointsPerYuan;
  if (change.pricing !== undefined) m.pricing = change.pricing;
  if (change.catalogSelection !== undefined) m.catalogSelection = change.catalogSelection as Record<string, unknown>;
  if (JSON.stringify([m.pointsPerYuan, m.pricing, m.catalogSelection]) === before) return false;
  m.pricingVersion += 1;
  return true;
}

/** Tenancy operations; each runs in the caller's transaction (audit rows are added by the caller). */
export class MallStore {
  readonly #clock: Clock;
  readonly #crypto: CryptoBox;
  readonly #credentials: CredentialStore;
  readonly #defaults: { perSec: number; burst: number; overlapMs: number };

  constructor(opts: { clock: Clock; crypto: CryptoBox; credentials: CredentialStore; rateLimit: { perSec: number; burst: number }; secretOverlapMs: number }) {
    this.#clock = opts.clock;
    this.#crypto = opts.crypto;
    this.#credentials = opts.credentials;
    this.#defaults = { ...opts.rateLimit, overlapMs: opts.secretOverlapMs };
  }

  /** Creates a mall with its first API key and webhook secret (both returned once, in clear). */
  create(em: EntityManager, input: NewMall, createdBy: string): { mall: Mall; apiKey: string; webhookSecret: string } {
    const now = this.#clock.now();
    const webhookSecret = newWebhookSecret();
    const mall = em.create(MallSchema, {
      id: newId('mall'),
      name: input.name,
      status: 'active',
      webhookUrl: input.webhookUrl,
      webhookEnabled: true,
      webhookDisabledReason: null,
      webhookSecret: this.#crypto.seal(webhookSecret),
      previousWebhookSecret: null,
      previousSecretExpiresAt: null,
      pointsPerYuan: input.pointsPerYuan ?? 100,
      rateLimitPerSec: input.rateLimitPerSec ?? this.#defaults.perSec,
      rateLimitBurst: input.rateLimitBurst ?? this.#defaults.burst,
      pricing: input.pricing ?? {},
      catalogSelection: input.catalogSelection ?? {},
      pricingVersion: 1,
      pricedVersion: 0,
      tierDiscounts: {},
      createdAt: now,
      updatedAt: now,
    });
    const { secret } = this.#credentials.issueMallKey(em, mall.id, createdBy);
    return { mall, apiKey: secret, webhookSecret };
  }

  async get(em: EntityManager, mallId: string): Promise<Mall> {
    const mall = await em.findOne(MallSchema, { id: mallId });
    if (!mall) throw notFound('mall');
    return mall;
  }

  /** Issues a new API key; the mall's previous keys stop working after `graceMs` (0 = at once). */
  async rotateKey(em: EntityManager, mallId: string, graceMs: number, by: string): Promise<{ apiKey: string; previousKeysExpireAt: Date }> {
    await this.get(em, mallId);
    const expireAt = new Date(this.#clock.now().getTime() + graceMs);
    const old = await em.find(ApiCredentialSchema, { mallId, revokedAt: null });
    for (const cred of old) {
      if (!cred.expiresAt || cred.expiresAt > expireAt) cred.expiresAt = expireAt;
    }
    const { secret } = this.#credentials.issueMallKey(em, mallId, by);
    return { apiKey: secret, previousKeysExpireAt: expireAt };
  }

  /** New webhook secret; the old one keeps signing alongside it for the configured overlap (24 h). */
  async rotateWebhookSecret(em: EntityManager, mallId: string): Promise<{ webhookSecret: string; previousSecretExpiresAt: Date }> {
    const mall = await this.get(em, mallId);
    const now = this.#clock.now();
    const webhookSecret = newWebhookSecret();
    mall.previousWebhookSecret = mall.webhookSecret;
    mall.previousSecretExpiresAt = new Date(now.getTime() + this.#defaults.overlapMs);
    mall.webhookSecret = this.#crypto.seal(webhookSecret);
    mall.updatedAt = now;
    return { webhookSecret, previousSecretExpiresAt: mall.previousSecretExpiresAt };
  }

  /** Secrets a delivery must be signed with now: the current one, plus the previous during overlap. */
  signingSecrets(mall: Mall): string[] {
    const secrets = [this.#crypto.open(mall.webhookSecret)];
    if (mall.previousWebhookSecret && mall.previousSecretExpiresAt && mall.previousSecretExpiresAt > this.#clock.now()) {
      secrets.push(this.#crypto.open(mall.previousWebhookSecret));
    }
    return secrets;
  }
}

/** Ids of the active malls, in the caller's transaction (each is told about a change to the catalog). */
export async function activeMallIds(em: EntityManager): Promise<string[]> {
  const malls = await em.getConnection().execute<{ id: string }[]>("select id from mall where status = 'active' order by id", [], 'all', em.getTransactionContext());
  return malls.map((m) => m.id);
}

/**
 * Drops the previous webhook secret of malls whose rotation overlap ended by `now`. It has stopped
 * signing at its expiry anyway; this removes the ciphertext. Returns how many malls had one.
 */
export async function dropExpiredWebhookSecrets(em: EntityManager, now: Date): Promise<number> {
  const affected = await em.getConnection().execute(
    'update mall set previous_webhook_secret = null, previous_secret_expires_at = null where previous_secret_expires_at <= ?',
    [now],
    'run',
  );
  return Number((affected as { affectedRows?: number }).affectedRows ?? 0);
}
