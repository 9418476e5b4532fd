import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { Sealed } from '../../security/crypto-box.ts';

/** A tenant: one points-redemption mall with its own keys, webhook endpoint, rates and settings. */
export const MallSchema = defineEntity({
  name: 'Mall',
  tableName: 'mall',
  properties: {
    id: p.text().primary(),
    name: p.text(),
    status: p.text().default('active'),
    webhookUrl: p.text(),
    webhookEnabled: p.boolean().default(true),
    webhookDisabledReason: p.text().nullable(),
    /** Current Standard Webhooks secret, encrypted at rest. */
    webhookSecret: p.json<Sealed>(),
    /** The secret before the last rotation; still signs until `previousSecretExpiresAt`. */
    previousWebhookSecret: p.json<Sealed>().nullable(),
    previousSecretExpiresAt: p.datetime().nullable(),
    pointsPerYuan: p.integer(),
    rateLimitPerSec: p.integer(),
    rateLimitBurst: p.integer(),
    /** Pricing overrides (markup, step, floor, cash share); filled by the catalog issue. */
    pricing: p.json<Record<string, unknown>>(),
    catalogSelection: p.json<Record<string, unknown>>(),
    /** Bumped with every change of points rate, pricing or selection; a worker reprices up to it. */
    pricingVersion: p.integer().default(1),
    /** The pricing version the stored mall_item rows reflect. */
    pricedVersion: p.integer().default(0),
    tierDiscounts: p.json<Record<string, unknown>>(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type Mall = InferEntity<typeof MallSchema>;
