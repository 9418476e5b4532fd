import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';
import type { Principal, StaffRole } from '../domain/principal.ts';
import { displayPrefix, hashSecret, newBearerSecret, safeEqual, TOKEN_PREFIX } from '../security/tokens.ts';
import { type ApiCredential, ApiCredentialSchema } from '../persistence/entities/api-credential.ts';
import { MallSchema } from '../persistence/entities/mall.ts';

/** What a verified bearer secret grants, with the rate limit that applies to it. */
export interface Verified {
  principal: Principal;
  rateLimit?: { perSec: number; burst: number };
}

/**
 * Issues, verifies and revokes bearer secrets. Only an HMAC of each secret is stored; verification
 * is one indexed lookup, cached in-process for `cacheMs` (revocation takes effect within it).
 */
export class CredentialStore {
  readonly #cache = new Map<string, { at: number; value: Verified | null }>();
  readonly #pepper: string;
  readonly #clock: Clock;
  readonly #cacheMs: number;
  readonly #bootstrapHash: string | undefined;

  constructor(opts: { pepper: string; clock: Clock; cacheMs: number; bootstrapAdminToken?: string | undefined }) {
    this.#pepper = opts.pepper;
    this.#clock = opts.clock;
    this.#cacheMs = opts.cacheMs;
    this.#bootstrapHash = opts.bootstrapAdminToken ? hashSecret(opts.bootstrapAdminToken, opts.pepper) : undefined;
  }

  /** Resolves a presented bearer secret to its principal, or null. */
  async verify(em: EntityManager, secret: string): Promise<Verified | null> {
    const hash = hashSecret(secret, this.#pepper);
    if (this.#bootstrapHash && safeEqual(hash, this.#bootstrapHash)) {
      return { principal: { kind: 'staff', role: 'admin', credentialId: 'bootstrap', name: 'HUB_ADMIN_TOKEN' } };
    }
    const now = this.#clock.now().getTime();
    const hit = this.#cache.get(hash);
    if (hit && now - hit.at < this.#cacheMs) return hit.value;
    const value = await this.#lookup(em, hash, now);
    if (this.#cacheMs > 0) {
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(hash, { at: now, value });
    }
    return value;
  }

  async #lookup(em: EntityManager, hash: string, now: number): Promise<Verified | null> {
    const cred = await em.findOne(ApiCredentialSchema, { secretHash: hash }, { disableIdentityMap: true });
    if (!cred || cred.revokedAt || (cred.expiresAt && cred.expiresAt.getTime() <= now)) return null;
    if (cred.kind === 'staff_token') {
      return { principal: { kind: 'staff', role: cred.role as StaffRole, credentialId: cred.id, name: cred.name } };
    }
    if (cred.kind === 'staff_session') {
      // A session lives only as long as the token it was made from: revoking that token ends it.
      const parent = cred.createdBy as string;
      if (parent === 'bootstrap' ? !this.#bootstrapHash : !(await this.#liveStaffToken(em, parent, now))) return null;
      return { principal: { kind: 'staff', role: cred.role as StaffRole, credentialId: parent, name: cred.name, sessionId: cred.id } };
    }
    const mall = await em.findOne(MallSchema, { id: cred.mallId as string }, { disableIdentityMap: true });
    if (mall?.status !== 'active') return null;
    return {
      principal: { kind: 'mall', mallId: mall.id, credentialId: cred.id },
      rateLimit: { perSec: mall.rateLimitPerSec, burst: mall.rateLimitBurst },
    };
  }

  async #liveStaffToken(em: EntityManager, id: string, now: number): Promise<ApiCredential | null> {
    const token = await em.findOne(ApiCredentialSchema, { id, kind: 'staff_token' }, { disableIdentityMap: true });
    return token && !token.revokedAt && !(token.expiresAt && token.expiresAt.getTime() <= now) ? token : null;
  }

  /**
   * Makes a session of a staff token (the console's sign-in): a new bearer secret of the same role,
   * for `ttlMs` and never past the token's own expiry. The caller must have verified the token
   * (not a session: a session does not make another). The secret is returned once.
   */
  async issueStaffSession(em: EntityManager, staff: { role: StaffRole; credentialId: string; name: string }, ttlMs: number): Promise<{ credential: ApiCredential; secret: string }> {
    const now = this.#clock.now().getTime();
    let expiresAt = now + ttlMs;
    if (staff.credentialId !== 'bootstrap') {
      const token = await this.#liveStaffToken(em, staff.credentialId, now);
      if (token?.expiresAt) expiresAt = Math.min(expiresAt, token.expiresAt.getTime());
    }
    return this.#issue(em, { kind: 'staff_session', mallId: null, role: staff.role, name: staff.name, createdBy: staff.credentialId, expiresAt: new Date(expiresAt) }, TOKEN_PREFIX.staffSession);
  }

  /** Ends a session now (sign-out); a session already ended stays as it was. Returns it, or null when there is none by that id. */
  async revokeStaffSession(em: EntityManager, sessionId: string): Promise<ApiCredential | null> {
    const session = await em.findOne(ApiCredentialSchema, { id: sessionId, kind: 'staff_session' });
    if (!session) return null;
    session.revokedAt ??= this.#clock.now();
    return session;
  }

  /** Forgets cached verifications (after a revocation in this process). */
  invalidate(): void {
    this.#cache.clear();
  }

  /** Creates a mall API key; the returned secret is shown once and never stored. */
  issueMallKey(em: EntityManager, mallId: string, createdBy: string): { credential: ApiCredential; secret: string } {
    return this.#issue(em, { kind: 'mall_key', mallId, role: 'mall', name: 'mall api key', createdBy }, TOKEN_PREFIX.mallKey);
  }

  /** Creates an agent or admin token; the returned secret is shown once. */
  issueStaffToken(em: EntityManager, role: StaffRole, name: string, createdBy: string, expiresAt?: Date): { credential: ApiCredential; secret: string } {
    return this.#issue(em, { kind: 'staff_token', mallId: null, role, name, createdBy, expiresAt }, TOKEN_PREFIX.staffToken);
  }

  #issue(
    em: EntityManager,
    c: { kind: ApiCredential['kind']; mallId: string | null; role: ApiCredential['role']; name: string; createdBy: string; expiresAt?: Date | undefined },
    prefix: string,
  ): { credential: ApiCredential; secret: string } {
    const secret = newBearerSecret(prefix);
    const credential = em.create(ApiCredentialSchema, {
      id: newId('cred'),
      kind: c.kind,
      mallId: c.mallId,
      role: c.role,
      name: c.name,
      secretHash: hashSecret(secret, this.#pepper),
      displayPrefix: displayPrefix(secret),
      createdBy: c.createdBy,
      createdAt: this.#clock.now(),
      expiresAt: c.expiresAt ?? null,
      revokedAt: null,
    });
    return { credential, secret };
  }
}

/**
 * Deletes staff sessions that ended (expired or signed out) before `before`: every console sign-in
 * adds one, and an ended session can never be used again. Tokens and mall keys are kept (revoked
 * ones stay listed). Audit entries name a session by id as text, so they outlive it.
 */
export async function pruneEndedStaffSessions(em: EntityManager, before: Date): Promise<number> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `delete from api_credential where kind = 'staff_session' and least(revoked_at, expires_at) < ? returning id`,
    [before],
  );
  return rows.length;
}
