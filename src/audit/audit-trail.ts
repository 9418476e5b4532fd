import type { EntityManager } from '@mikro-orm/postgresql';
import { type AuditEntry, AuditEntrySchema } from '../persistence/entities/audit-entry.ts';

/**
 * What people did to some resources (an order, its lines, tickets and runs: the admin order
 * view's staff entries), oldest first. `resourceTypes` and `resourceIds` together reach the
 * `(resource_type, resource_id)` index; `actorTypes` keeps only those actors (staff roles).
 */
export async function auditTrail(em: EntityManager, q: { resourceTypes: readonly string[]; resourceIds: readonly string[]; actorTypes: readonly string[] }): Promise<AuditEntry[]> {
  if (!q.resourceIds.length) return [];
  return em.find(
    AuditEntrySchema,
    { resourceType: { $in: [...q.resourceTypes] }, resourceId: { $in: [...q.resourceIds] }, actorType: { $in: [...q.actorTypes] } },
    { orderBy: { at: 'asc', id: 'asc' } },
  );
}
