import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** One admin or system action: who did what to which resource, with the state before and after. */
export const AuditEntrySchema = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_entry',
  properties: {
    id: p.text().primary(),
    at: p.datetime(),
    actorType: p.text(),
    actorId: p.text(),
    action: p.text(),
    resourceType: p.text(),
    resourceId: p.text(),
    mallId: p.text().nullable(),
    before: p.json<unknown>().nullable(),
    after: p.json<unknown>().nullable(),
    requestId: p.text().nullable(),
  },
});
export type AuditEntry = InferEntity<typeof AuditEntrySchema>;
