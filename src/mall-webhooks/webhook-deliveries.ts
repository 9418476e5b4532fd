import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';

/** Delivery states: `pending` (not tried yet, or waiting for a disabled mall), `failed` (retry scheduled), `delivered`, `dead` (schedule exhausted). */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead';

/** A delivery the queue should attempt: its id, its mall (jobs are batched per mall) and the attempts count the job is for. */
export interface DueDelivery {
  deliveryId: string;
  mallId: string;
  attempt: number;
}

/**
 * Turns unpublished mall events into deliveries and marks them published, oldest first, in one
 * statement. Rows are locked (skip locked) so several dispatchers share the work; an event made a
 * delivery twice is one delivery (unique event id). Delivery ids are UUIDv7 (time first, so the
 * index grows at its end), made by PostgreSQL with the rows. Returns the new deliveries of
 * enabled malls.
 */
export async function dispatchMallEvents(em: EntityManager, clock: Clock, limit = 500): Promise<{ events: number; jobs: DueDelivery[] }> {
  const now = clock.now();
  const [row] = await em.fork().getConnection().execute<{ events: number; jobs: { id: string; mall_id: string }[] | null }[]>(
    `with ev as (
       select id, mall_id, order_id, type, created_at from mall_event
       where published_at is null order by created_at limit ? for update skip locked
     ), ins as (
       insert into webhook_delivery (id, event_id, mall_id, order_id, type, status, next_attempt_at, created_at, updated_at)
       select 'whd_' || lpad(to_hex((extract(epoch from ?::timestamptz) * 1000)::bigint), 12, '0') || '7' || substr(e.u, 14, 3) || substr(e.u, 17, 16),
              e.id, e.mall_id, e.order_id, e.type, 'pending', ?, ?, ?
       from (select ev.*, replace(gen_random_uuid()::text, '-', '') u from ev) e
       on conflict (event_id) do nothing
       returning id, event_id, mall_id
     ), pub as (
       update mall_event set published_at = ? where id in (select id from ev)
     )
     select (select count(*) from ev)::int events,
            (select json_agg(json_build_object('id', ins.id, 'mall_id', ins.mall_id) order by ev.created_at, ev.id)
             from ins join ev on ev.id = ins.event_id join mall m on m.id = ins.mall_id where m.webhook_enabled) jobs`,
    [limit, now, now, now, now, now],
    'all',
  );
  return { events: row?.events ?? 0, jobs: (row?.jobs ?? []).map((r) => ({ deliveryId: r.id, mallId: r.mall_id, attempt: 0 })) };
}

/** Deliveries due (a lost job, a worker that died mid-attempt) of enabled malls, for the reconciler. */
export async function dueDeliveries(em: EntityManager, clock: Clock, graceMs: number, limit = 1000): Promise<DueDelivery[]> {
  const rows = await em.getConnection().execute<{ id: string; mall_id: string; attempts: number }[]>(
    `select d.id, d.mall_id, d.attempts from webhook_delivery d join mall m on m.id = d.mall_id
     where d.status in ('pending', 'failed') and d.next_attempt_at <= ? and (d.lease_until is null or d.lease_until <= ?) and m.webhook_enabled
     order by d.next_attempt_at limit ?`,
    [new Date(clock.now().getTime() - graceMs), clock.now(), limit],
    'all',
    em.getTransactionContext(),
  );
  return rows.map((r) => ({ deliveryId: r.id, mallId: r.mall_id, attempt: Number(r.attempts) }));
}

/** Puts a delivered, failed or dead delivery back to work now, with a fresh retry schedule. Null when it does not exist. */
export async function replayDelivery(em: EntityManager, clock: Clock, id: string): Promise<{ before: DeliveryStatus; job: DueDelivery } | null> {
  const rows = await em.getConnection().execute<{ before: DeliveryStatus; mall_id: string; attempts: number }[]>(
    `update webhook_delivery d set status = 'pending', retry_from = d.attempts, next_attempt_at = ?, updated_at = ?
     from webhook_delivery old where old.id = d.id and d.id = ?
     returning old.status as before, d.mall_id, d.attempts`,
    [clock.now(), clock.now(), id],
    'all',
    em.getTransactionContext(),
  );
  const r = rows[0];
  return r ? { before: r.before, job: { deliveryId: id, mallId: r.mall_id, attempt: Number(r.attempts) } } : null;
}

/** Replays every failed and dead delivery of a mall; returns the jobs to enqueue. */
export async function replayFailedDeliveries(em: EntityManager, clock: Clock, mallId: string): Promise<DueDelivery[]> {
  const rows = await em.getConnection().execute<{ id: string; attempts: number }[]>(
    `update webhook_delivery set status = 'pending', retry_from = attempts, next_attempt_at = ?, updated_at = ?
     where mall_id = ? and status in ('failed', 'dead') returning id, attempts`,
    [clock.now(), clock.now(), mallId],
    'all',
    em.getTransactionContext(),
  );
  return rows.map((r) => ({ deliveryId: r.id, mallId, attempt: Number(r.attempts) }));
}

/** Re-enables a mall's webhook; everything that waited goes now. Null when the mall does not exist. */
export async function enableMallWebhook(em: EntityManager, clock: Clock, mallId: string): Promise<{ wasEnabled: boolean; reason: string | null; jobs: DueDelivery[] } | null> {
  const conn = em.getConnection();
  const ctx = em.getTransactionContext();
  const before = await conn.execute<{ webhook_enabled: boolean; webhook_disabled_reason: string | null }[]>(
    'select webhook_enabled, webhook_disabled_reason from mall where id = ? for update', [mallId], 'all', ctx,
  );
  const b = before[0];
  if (!b) return null;
  await conn.execute('update mall set webhook_enabled = true, webhook_disabled_reason = null, updated_at = ? where id = ?', [clock.now(), mallId], 'run', ctx);
  const rows = await conn.execute<{ id: string; attempts: number }[]>(
    `update webhook_delivery set next_attempt_at = ?, updated_at = ?
     where mall_id = ? and status in ('pending', 'failed') returning id, attempts`,
    [clock.now(), clock.now(), mallId],
    'all',
    ctx,
  );
  return { wasEnabled: b.webhook_enabled, reason: b.webhook_disabled_reason, jobs: rows.map((r) => ({ deliveryId: r.id, mallId, attempt: Number(r.attempts) })) };
}

/** A mall's webhook health for the admin console. */
export interface WebhookHealth {
  mallId: string;
  enabled: boolean;
  disabledReason: string | null;
  /** Attempts that failed since the last success (0 when the last attempt succeeded). */
  consecutiveFailures: number;
  /** When the current run of failures began; null when the endpoint is healthy. */
  failingSince: Date | null;
  lastSuccessAt: Date | null;
  pending: number;
  failed: number;
  dead: number;
}

/** Consecutive failures, failing since and backlog of a mall's webhook. Null when the mall does not exist. */
export async function webhookHealth(em: EntityManager, mallId: string): Promise<WebhookHealth | null> {
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `with last_ok as (
       select max(a.id) id, max(a.at) at from webhook_attempt a join webhook_delivery d on d.id = a.delivery_id
       where d.mall_id = ? and a.status_code between 200 and 299
     ), fails as (
       select count(*) n, min(a.at) since from webhook_attempt a join webhook_delivery d on d.id = a.delivery_id
       where d.mall_id = ? and (a.status_code is null or a.status_code not between 200 and 299)
         and a.id > coalesce((select id from last_ok), 0)
     )
     select m.webhook_enabled, m.webhook_disabled_reason, (select at from last_ok) last_ok, f.n, f.since,
       (select count(*) from webhook_delivery where mall_id = m.id and status = 'pending') pending,
       (select count(*) from webhook_delivery where mall_id = m.id and status = 'failed') failed,
       (select count(*) from webhook_delivery where mall_id = m.id and status = 'dead') dead
     from mall m, fails f where m.id = ?`,
    [mallId, mallId, mallId],
    'all',
    em.getTransactionContext(),
  );
  const r = rows[0];
  if (!r) return null;
  const n = Number(r.n);
  return {
    mallId,
    enabled: Boolean(r.webhook_enabled),
    disabledReason: (r.webhook_disabled_reason as string | null) ?? null,
    consecutiveFailures: n,
    failingSince: n > 0 && r.since ? new Date(r.since as string) : null,
    lastSuccessAt: r.last_ok ? new Date(r.last_ok as string) : null,
    pending: Number(r.pending),
    failed: Number(r.failed),
    dead: Number(r.dead),
  };
}
