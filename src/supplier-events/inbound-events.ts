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

/** A stored event as processing reads it. */
export interface StoredInboundEvent {
  supplier: string;
  event_id: string;
  event_type: string | null;
  body: string;
  status: string;
  attempts: number;
}

/** A stored event, locked for the caller's transaction (a second job for it waits, then finds it no longer 'received'). */
export async function lockInboundEvent(tx: EntityManager, id: string): Promise<StoredInboundEvent | undefined> {
  const [row] = await tx.getConnection().execute<StoredInboundEvent[]>(
    'select supplier, event_id, event_type, body, status, attempts from inbound_event where id = ? for update',
    [id],
    'all',
    tx.getTransactionContext(),
  );
  return row;
}

/** Settles a stored event (processed, ignored or failed, with why), counting the attempt. */
export async function finishInboundEvent(tx: EntityManager, id: string, status: 'processed' | 'ignored' | 'failed', at: Date, error: string | null): Promise<void> {
  await tx.getConnection().execute('update inbound_event set status = ?, attempts = attempts + 1, processed_at = ?, last_error = ? where id = ?', [status, at, error, id], 'run', tx.getTransactionContext());
}

/** Counts an attempt that could not apply the event yet (it stays 'received', to be tried again), with why. */
export async function countInboundAttempt(tx: EntityManager, id: string, error: string): Promise<void> {
  await tx.getConnection().execute('update inbound_event set attempts = attempts + 1, last_error = ? where id = ?', [error, id], 'run', tx.getTransactionContext());
}

/** Stored events still 'received' after `minAgeMs` (their job was lost or is retrying), oldest first. */
export async function pendingInboundEvents(em: EntityManager, clock: Clock, minAgeMs: number, limit = 500): Promise<{ id: string; attempts: number }[]> {
  return em.getConnection().execute<{ id: string; attempts: number }[]>(
    "select id, attempts from inbound_event where status = 'received' and received_at <= ? order by received_at limit ?",
    [new Date(clock.now().getTime() - minAgeMs), limit],
  );
}
