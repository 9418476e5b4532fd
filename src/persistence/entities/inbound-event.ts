import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/** A raw event from a supplier (webhook or polled message), stored before it is acknowledged. */
export const InboundEventSchema = defineEntity({
  name: 'InboundEvent',
  tableName: 'inbound_event',
  properties: {
    id: p.text().primary(),
    supplier: p.text(),
    eventId: p.text(),
    eventType: p.text().nullable(),
    headers: p.json<Record<string, string>>(),
    body: p.text(),
    receivedAt: p.datetime(),
    status: p.enum(['received', 'processed', 'failed', 'ignored'] as const),
    attempts: p.integer(),
    processedAt: p.datetime().nullable(),
    lastError: p.text().nullable(),
  },
});
export type InboundEvent = InferEntity<typeof InboundEventSchema>;
