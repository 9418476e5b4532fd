import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import type { ActorType } from '../domain/principal.ts';
import { newId } from '../domain/ids.ts';
import { type AuditEntry, AuditEntrySchema } from '../persistence/entities/audit-entry.ts';

/** One audited action, recorded in the same transaction as the change it describes. */
export interface AuditInput {
  actor: { actorType: ActorType; actorId: string };
  action: string;
  resourceType: string;
  resourceId: string;
  mallId?: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

/** Adds an audit entry to the unit of work; it is written when the caller's transaction flushes. */
export function recordAudit(em: EntityManager, clock: Clock, input: AuditInput): AuditEntry {
  return em.create(AuditEntrySchema, {
    id: newId('aud'),
    at: clock.now(),
    actorType: input.actor.actorType,
    actorId: input.actor.actorId,
    action: input.action,
    resourceType: input.resourceType,
    resourceId: input.resourceId,
    mallId: input.mallId ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    requestId: input.requestId ?? null,
  });
}
