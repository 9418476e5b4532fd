import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import { type AttemptResult, type ClaimedDelivery, claimDelivery, type DeliveryStatus, type DueDelivery, finishAttempt } from '../persistence/webhook-deliveries.ts';
import type { CryptoBox } from '../security/crypto-box.ts';
import { checkWebhookUrl } from '../security/webhook-url.ts';
import { signStandardWebhook } from './standard-webhooks.ts';

/** What a delivery attempt needs from the hub. */
export interface DeliverDeps {
  em: EntityManager;
  clock: Clock;
  crypto: CryptoBox;
  /** Sandbox mode: loopback and private webhook addresses are allowed. */
  allowPrivate: boolean;
  timeoutMs: number;
  /** Waits before attempt 2, 3, …; after the last one fails the delivery is dead. */
  retryScheduleMs: readonly number[];
  /** Queues the next attempt after `delayMs` (the row in PostgreSQL is the truth; this is a wake-up). */
  enqueue: (job: DueDelivery, delayMs: number) => Promise<unknown>;
  /** Host resolution for the address check (tests). */
  resolve?: (host: string) => Promise<string[]>;
  fetch?: typeof fetch;
}

/** What one call of `deliverWebhook` did. */
export type DeliverOutcome = { outcome: 'skipped' } | { outcome: DeliveryStatus | 'disabled'; statusCode: number | null };

const SNIPPET = 500;

/** The JSON body a mall receives: `{id, type, createdAt, data}`; order events carry orderId, mallOrderId and seq. */
export function webhookBody(d: Pick<ClaimedDelivery, 'eventId' | 'type' | 'eventCreatedAt' | 'data' | 'orderId' | 'seq' | 'mallOrderId'>): string {
  const data: Record<string, unknown> = { ...d.data };
  if (d.orderId !== null) {
    data.orderId ??= d.orderId;
    if (d.mallOrderId !== null) data.mallOrderId ??= d.mallOrderId;
    data.seq = d.seq;
  }
  return JSON.stringify({ id: d.eventId, type: d.type, createdAt: d.eventCreatedAt.toISOString(), data });
}

/**
 * One attempt of one delivery: claim it, re-check the address, sign with every live secret, POST
 * with a timeout, record the attempt, and decide what comes next:
 *
 *   2xx ─────────────────────────────► delivered
 *   410 ─────────────────────────────► pending, mall disabled (waits for an admin to re-enable)
 *   else, schedule has a next wait ───► failed, next attempt queued after that wait
 *   else ────────────────────────────► dead (admins can replay)
 */
export async function deliverWebhook(job: DueDelivery, deps: DeliverDeps): Promise<DeliverOutcome> {
  const { clock } = deps;
  const leaseMs = deps.timeoutMs + 60_000;
  const d = await claimDelivery(deps.em, clock, job, leaseMs);
  if (!d) return { outcome: 'skipped' };
  const result = await attempt(d, deps);
  const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  if (ok) {
    await finishAttempt(deps.em, clock, d, result, { status: 'delivered', nextAttemptAt: null });
    return { outcome: 'delivered', statusCode: result.statusCode };
  }
  if (result.statusCode === 410) {
    await finishAttempt(deps.em, clock, d, result, { status: 'pending', nextAttemptAt: null, disableMall: `endpoint answered 410 Gone at ${clock.now().toISOString()}` });
    return { outcome: 'disabled', statusCode: 410 };
  }
  const wait = deps.retryScheduleMs[d.attempts - d.retryFrom - 1];
  if (wait === undefined) {
    await finishAttempt(deps.em, clock, d, result, { status: 'dead', nextAttemptAt: null });
    return { outcome: 'dead', statusCode: result.statusCode };
  }
  await finishAttempt(deps.em, clock, d, result, { status: 'failed', nextAttemptAt: new Date(clock.now().getTime() + wait) });
  // If this add is lost, the reconciler finds the delivery due and queues it again.
  await deps.enqueue({ deliveryId: d.id, attempt: d.attempts }, wait);
  return { outcome: 'failed', statusCode: result.statusCode };
}

async function attempt(d: ClaimedDelivery, deps: DeliverDeps): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const verdict = await checkWebhookUrl(d.webhookUrl, { allowPrivate: deps.allowPrivate, resolve: deps.resolve });
  if (!verdict.ok) return { statusCode: null, error: `address refused: ${verdict.reason}`, latencyMs: elapsed(), responseSnippet: null };
  const secrets = [deps.crypto.open(d.webhookSecret)];
  if (d.previousWebhookSecret && d.previousSecretExpiresAt && d.previousSecretExpiresAt > deps.clock.now()) secrets.push(deps.crypto.open(d.previousWebhookSecret));
  const body = webhookBody(d);
  const timestampSeconds = Math.floor(Date.now() / 1000);
  try {
    const res = await (deps.fetch ?? fetch)(d.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'redemption-hub-webhooks/1',
        'webhook-id': d.eventId,
        'webhook-timestamp': String(timestampSeconds),
        'webhook-signature': signStandardWebhook({ secret: secrets, id: d.eventId, timestampSeconds, body }),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
    const text = await readSnippet(res);
    return { statusCode: res.status, error: null, latencyMs: elapsed(), responseSnippet: text };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `timed out after ${deps.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { statusCode: null, error: reason.slice(0, SNIPPET), latencyMs: elapsed(), responseSnippet: null };
  }
}

/** The first 500 characters of a response (the rest is not read). */
async function readSnippet(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < SNIPPET) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut off mid-way still tells the status; keep what arrived.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text ? text.slice(0, SNIPPET) : null;
}
