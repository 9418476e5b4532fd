import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import type { Sealed } from '../security/crypto-box.ts';
import { executePrepared } from './bound-query.ts';
import type { DeliveryStatus, DueDelivery } from './webhook-deliveries.ts';

/** What one attempt needs, read in the statement that claims it. */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  mallId: string;
  type: string;
  /** Attempts including this one. */
  attempts: number;
  retryFrom: number;
  eventCreatedAt: Date;
  data: Record<string, unknown>;
  orderId: string | null;
  seq: number | null;
  mallOrderId: string | null;
  webhookUrl: string;
  webhookSecret: Sealed;
  previousWebhookSecret: Sealed | null;
  previousSecretExpiresAt: Date | null;
}

/** The result of one HTTP attempt, as recorded. */
export interface AttemptResult {
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  responseSnippet: string | null;
  /** When the attempt ended. */
  at: Date;
}

/** A finished attempt and where it leaves its delivery. */
export interface FinishedAttempt {
  id: string;
  mallId: string;
  result: AttemptResult;
  /** `delivered`; `failed` with its next attempt at `nextAttemptAt`; `dead`; or `pending` with no time (410: waits for re-enable). */
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
  /** Set when this attempt disables the mall's endpoint (410 Gone): the reason shown to admins. */
  disableMall?: string;
}

/**
 * Claims the next attempt of a batch of deliveries in one statement: counts each and sets a lease
 * (if the worker dies, the reconciler finds it due after the lease). Neither column is indexed, so
 * the claim is a heap-only update. Only a job's delivery whose
 * attempts still equal the job's count, is pending/failed and belongs to an enabled mall is
 * claimed, so duplicate or stale jobs do nothing.
 */
export async function claimDeliveries(em: EntityManager, clock: Clock, jobs: readonly DueDelivery[], leaseMs: number): Promise<ClaimedDelivery[]> {
  if (jobs.length === 0) return [];
  const rows = await executePrepared<Record<string, unknown>>(
    em,
    'webhook-claim',
    `with j as (
       select * from jsonb_to_recordset(?::jsonb) as j(id text, attempt int)
     ), c as (
       update webhook_delivery d set attempts = d.attempts + 1, lease_until = ?, updated_at = ?
       from j, mall m
       where d.id = j.id and d.attempts = j.attempt and d.status in ('pending', 'failed') and m.id = d.mall_id and m.webhook_enabled
       returning d.id, d.event_id, d.mall_id, d.type, d.attempts, d.retry_from
     )
     select c.*, e.created_at, e.data, e.order_id, e.seq, o.mall_order_id,
            m.webhook_url, m.webhook_secret, m.previous_webhook_secret, m.previous_secret_expires_at
     from c join mall_event e on e.id = c.event_id join mall m on m.id = c.mall_id left join mall_order o on o.id = e.order_id
     order by e.created_at, c.id`,
    [JSON.stringify(jobs.map((j) => ({ id: j.deliveryId, attempt: j.attempt }))), new Date(clock.now().getTime() + leaseMs), clock.now()],
  );
  return rows.map((r) => ({
    id: r.id as string,
    eventId: r.event_id as string,
    mallId: r.mall_id as string,
    type: r.type as string,
    attempts: Number(r.attempts),
    retryFrom: Number(r.retry_from),
    eventCreatedAt: new Date(r.created_at as string),
    data: r.data as Record<string, unknown>,
    orderId: (r.order_id as string | null) ?? null,
    seq: r.seq === null || r.seq === undefined ? null : Number(r.seq),
    mallOrderId: (r.mall_order_id as string | null) ?? null,
    webhookUrl: r.webhook_url as string,
    webhookSecret: r.webhook_secret as Sealed,
    previousWebhookSecret: (r.previous_webhook_secret as Sealed | null) ?? null,
    previousSecretExpiresAt: r.previous_secret_expires_at ? new Date(r.previous_secret_expires_at as string) : null,
  }));
}

/**
 * Records a batch of attempts and moves each delivery on, in one statement: every attempt row is
 * inserted, every delivery updated (its lease ended), and a mall whose endpoint answered 410 is disabled.
 */
export async function finishAttempts(em: EntityManager, clock: Clock, done: readonly FinishedAttempt[]): Promise<void> {
  if (done.length === 0) return;
  const now = clock.now();
  const rows = done.map((d) => ({
    id: d.id, mall_id: d.mallId, at: d.result.at, status: d.status, next_at: d.nextAttemptAt,
    code: d.result.statusCode, error: d.result.error, latency: d.result.latencyMs, snippet: d.result.responseSnippet, disable: d.disableMall ?? null,
  }));
  await executePrepared(
    em,
    'webhook-finish',
    `with r as (
       select * from jsonb_to_recordset(?::jsonb)
         as r(id text, mall_id text, at timestamptz, status text, next_at timestamptz, code int, error text, latency int, snippet text, disable text)
     ), a as (
       insert into webhook_attempt (delivery_id, at, status_code, error, latency_ms, response_snippet)
       select id, at, code, error, latency, snippet from r order by at
     ), m as (
       update mall set webhook_enabled = false, webhook_disabled_reason = x.disable, updated_at = ?
       from (select distinct on (mall_id) mall_id, disable from r where disable is not null order by mall_id, at) x
       where mall.id = x.mall_id
     )
     update webhook_delivery d set status = r.status, next_attempt_at = r.next_at, lease_until = null, last_status = r.code, last_error = r.error,
       delivered_at = case when r.status = 'delivered' then r.at else d.delivered_at end, updated_at = ?
     from r where d.id = r.id`,
    [JSON.stringify(rows), now, now],
  );
}
