import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';

/** A raw supplier event as received (webhook body or polled message). */
export interface InboundEventInput {
  supplier: string;
  /** The supplier's own id for the event (msg_id, event id, JD message id); the dedup key. */
  eventId: string;
  eventType?: string | null;
  headers?: Record<string, string>;
  body: string;
}

/**
 * Stores a raw supplier event durably before it is acknowledged. A second delivery of the same
 * (supplier, eventId) stores nothing and reports `duplicate`, so the caller acknowledges and ignores it.
 */
export async function storeInboundEvent(
  em: EntityManager,
  clock: Clock,
  input: InboundEventInput,
): Promise<{ id: string; duplicate: boolean }> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `insert into inbound_event (id, supplier, event_id, event_type, headers, body, received_at)
     values (?, ?, ?, ?, ?, ?, ?)
     on conflict (supplier, event_id) do nothing
     returning id`,
    [newId('ie'), input.supplier, input.eventId, input.eventType ?? null, JSON.stringify(input.headers ?? {}), input.body, clock.now()],
    'all',
    em.getTransactionContext(),
  );
  const inserted = rows[0];
  if (inserted) return { id: inserted.id, duplicate: false };
  const existing = await em
    .getConnection()
    .execute<{ id: string }[]>('select id from inbound_event where supplier = ? and event_id = ?', [input.supplier, input.eventId], 'all', em.getTransactionContext());
  return { id: existing[0]?.id ?? '', duplicate: true };
}
