import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { MallSchema } from './mall.ts';

/**
 * A bearer secret's stored form: a mall API key, a staff (agent/admin) token, or a staff session (a
 * short-lived credential made from a staff token for the console: `created_by` names that token,
 * `expires_at` always set), kept as an HMAC.
 */
export const ApiCredentialSchema = defineEntity({
  name: 'ApiCredential',
  tableName: 'api_credential',
  properties: {
    id: p.text().primary(),
    kind: p.enum(['mall_key', 'staff_token', 'staff_session'] as const),
    // A relation (not a bare column) so the unit of work inserts the mall before its first key.
    mallId: () => p.manyToOne(MallSchema).mapToPk().nullable().fieldName('mall_id'),
    role: p.enum(['mall', 'agent', 'admin'] as const),
    name: p.text(),
    secretHash: p.text().unique('api_credential_secret_hash_key'),
    displayPrefix: p.text(),
    createdBy: p.text().nullable(),
    createdAt: p.datetime(),
    expiresAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export type ApiCredential = InferEntity<typeof ApiCredentialSchema>;
