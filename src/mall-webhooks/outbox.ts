import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import { newId } from '../domain/ids.ts';

/** An event for a mall, appended in the caller's transaction. */
export interface MallEventInput {
  mallId: string;
  type: string;
  /** Order events get a per-order `seq`; events of no order (catalog.changed) leave it out. */
  orderId?: string;
  data: Record<string, unknown>;
}

/** The stored event as the dispatcher will send it. */
export interface AppendedEvent {
  id: string;
  seq: number | null;
  createdAt: Date;
}

/**
 * Appends a mall event to the outbox. Must run inside the transaction that makes the state change,
 * so the event exists exactly when the change does. The per-order counter row is locked by the
 * upsert until commit: concurrent writers of one order queue up, and a rollback leaves no gap.
 */
export async function appendMallEvent(em: EntityManager, clock: Clock, input: MallEventInput): Promise<AppendedEvent> {
  if (!em.isInTransaction()) throw new Error('appendMallEvent must run inside a transaction');
  const conn = em.getConnection();
  const ctx = em.getTransactionContext();
  let seq: number | null = null;
  if (input.orderId) {
    // The order row is locked first, in the same statement: every writer of an order's events
    // then takes the order before its counter, as setLineStatus does (line, order, counter), so
    // two lines of one order moving at once queue up instead of deadlocking.
    const rows = await conn.execute<{ last_seq: number }[]>(
      `with o as (select 1 from mall_order where id = ? for no key update)
       insert into order_event_counter (order_id, last_seq) select ?, 1 from (select count(*) from o) locked
       on conflict (order_id) do update set last_seq = order_event_counter.last_seq + 1
       returning last_seq`,
      [input.orderId, input.orderId],
      'all',
      ctx,
    );
    seq = Number(rows[0]?.last_seq);
  }
  const id = newId('evt');
  const createdAt = clock.now();
  await conn.execute(
    'insert into mall_event (id, mall_id, order_id, seq, type, data, created_at) values (?, ?, ?, ?, ?, ?, ?)',
    [id, input.mallId, input.orderId ?? null, seq, input.type, JSON.stringify(input.data), createdAt],
    'run',
    ctx,
  );
  return { id, seq, createdAt };
}
