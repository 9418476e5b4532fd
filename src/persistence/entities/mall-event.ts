import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/**
 * Outbox of events for a mall, written in the same transaction as the state change they report.
 * Order events carry a per-order `seq` without gaps; the webhook dispatcher reads from here.
 */
export const MallEventSchema = defineEntity({
  name: 'MallEvent',
  tableName: 'mall_event',
  properties: {
    id: p.text().primary(),
    mallId: p.text(),
    orderId: p.text().nullable(),
    seq: p.integer().nullable(),
    type: p.text(),
    data: p.json<Record<string, unknown>>(),
    createdAt: p.datetime(),
    /** When the dispatcher took the row; null while it waits. */
    publishedAt: p.datetime().nullable(),
  },
});
export type MallEvent = InferEntity<typeof MallEventSchema>;
