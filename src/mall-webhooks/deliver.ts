import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../domain/clock.ts';
import { type AttemptResult, type ClaimedDelivery, claimDeliveries, type FinishedAttempt, finishAttempts } from './webhook-attempts.ts';
import type { DeliveryStatus, DueDelivery } from './webhook-deliveries.ts';
import type { CryptoBox, Sealed } from '../security/crypto-box.ts';
import { checkWebhookUrl, type UrlVerdict } from '../security/webhook-url.ts';
import { signStandardWebhook } from './standard-webhooks.ts';
import type { Dispatcher } from 'undici';

/** What a delivery attempt needs from the hub. */
export interface DeliverDeps {
  em: EntityManager;
  clock: Clock;
  crypto: CryptoBox;
  /** Sandbox mode: loopback and private webhook addresses are allowed. */
  allowPrivate: boolean;
  timeoutMs: number;
  /** Requests one batch has in flight at once (a mall endpoint is not flooded; sockets are reused). */
  parallel: number;
  /** Waits before attempt 2, 3, …; after the last one fails the delivery is dead. */
  retryScheduleMs: readonly number[];
  /** Queues the next attempts after `delayMs` (the rows in PostgreSQL are the truth; this is a wake-up). */
  enqueue: (jobs: DueDelivery[], delayMs: number) => Promise<unknown>;
  /** Host resolution for the address check (tests). */
  resolve?: (host: string) => Promise<string[]>;
  /** The connections requests go out on (webhookAgent: kept alive, with the guarded DNS lookup). */
  agent: Dispatcher;
}

/** What one attempt of one delivery did (`skipped`: its job was stale or a duplicate). */
export type DeliverOutcome = { outcome: 'skipped' } | { outcome: DeliveryStatus | 'disabled'; statusCode: number | null };

const SNIPPET = 500;

/**
 * The next attempt of a batch of deliveries (one mall's, as the queue groups them): claim them all
 * in one statement, then per delivery re-check the address, sign with every live secret and POST
 * with a timeout (`parallel` at a time), record every attempt in one statement, and decide what
 * comes next:
 *
 *   2xx ─────────────────────────────► delivered
 *   410 ─────────────────────────────► pending, mall disabled (waits for an admin to re-enable)
 *   else, schedule has a next wait ───► failed, next attempt queued after that wait
 *   else ────────────────────────────► dead (admins can replay)
 *
 * Returns one outcome per job, in the jobs' order (`skipped` for a stale or duplicate job).
 */
export async function deliverWebhooks(jobs: readonly DueDelivery[], deps: DeliverDeps): Promise<DeliverOutcome[]> {
  const { clock } = deps;
  // The lease covers the slowest batch: every round of `parallel` requests timing out, plus a minute.
  const rounds = Math.ceil(jobs.length / deps.parallel);
  const claimed = await claimDeliveries(deps.em, clock, jobs, rounds * deps.timeoutMs + 60_000);
  // Per batch, not per delivery: the address check may resolve DNS and secrets are sealed.
  const verdicts = new Map<string, Promise<UrlVerdict>>();
  const secrets = new Map<string, string[]>();
  const targets = new Map<string, Target | null>();
  const done = await mapInParallel(claimed, deps.parallel, async (d): Promise<FinishedAttempt> => {
    let verdict = verdicts.get(d.webhookUrl);
    if (!verdict) verdicts.set(d.webhookUrl, (verdict = checkWebhookUrl(d.webhookUrl, { allowPrivate: deps.allowPrivate, resolve: deps.resolve })));
    if (!targets.has(d.webhookUrl)) targets.set(d.webhookUrl, targetOf(d.webhookUrl));
    const target = targets.get(d.webhookUrl) ?? null;
    let live = secrets.get(d.mallId);
    if (!live) secrets.set(d.mallId, (live = liveSecrets(d, deps)));
    const result = await attempt(d, await verdict, target, live, deps);
    return { id: d.id, mallId: d.mallId, result, ...nextStep(d, result, deps) };
  });
  await finishAttempts(deps.em, clock, done);
  // One wake-up per wait; if an add is lost, the reconciler finds the deliveries due and queues them again.
  const retries = new Map<number, DueDelivery[]>();
  done.forEach((d, i) => {
    if (d.status !== 'failed' || !d.nextAttemptAt) return;
    const wait = d.nextAttemptAt.getTime() - d.result.at.getTime();
    const next = { deliveryId: d.id, mallId: d.mallId, attempt: (claimed[i] as ClaimedDelivery).attempts };
    const group = retries.get(wait);
    if (group) group.push(next);
    else retries.set(wait, [next]);
  });
  for (const [wait, group] of retries) await deps.enqueue(group, wait);
  const byId = new Map(done.map((d) => [d.id, d]));
  return jobs.map((j): DeliverOutcome => {
    const d = byId.get(j.deliveryId);
    if (!d) return { outcome: 'skipped' };
    return { outcome: d.disableMall ? 'disabled' : d.status, statusCode: d.result.statusCode };
  });
}

/** `fn` over `items` with at most `limit` running at once; results in the items' order. */
async function mapInParallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Where an attempt leaves its delivery (see the diagram on deliverWebhooks). */
function nextStep(d: ClaimedDelivery, result: AttemptResult, deps: DeliverDeps): Pick<FinishedAttempt, 'status' | 'nextAttemptAt' | 'disableMall'> {
  const code = result.statusCode;
  if (code !== null && code >= 200 && code < 300) return { status: 'delivered', nextAttemptAt: null };
  if (code === 410) return { status: 'pending', nextAttemptAt: null, disableMall: `endpoint answered 410 Gone at ${result.at.toISOString()}` };
  const wait = deps.retryScheduleMs[d.attempts - d.retryFrom - 1];
  if (wait === undefined) return { status: 'dead', nextAttemptAt: null };
  return { status: 'failed', nextAttemptAt: new Date(result.at.getTime() + wait) };
}

/** The mall's current secret, plus the previous one while a rotation's overlap lasts. */
function liveSecrets(d: ClaimedDelivery, deps: DeliverDeps): string[] {
  const open = (sealed: string) => deps.crypto.open(JSON.parse(sealed) as Sealed);
  const secrets = [open(d.webhookSecret)];
  if (d.previousWebhookSecret && d.previousSecretExpiresAt && d.previousSecretExpiresAt > deps.clock.now()) secrets.push(open(d.previousWebhookSecret));
  return secrets;
}

/** Where a request goes, as undici takes it; null for a URL that does not parse (the verdict refuses it). */
type Target = { origin: string; path: string };
function targetOf(raw: string): Target | null {
  try {
    const url = new URL(raw);
    return { origin: url.origin, path: `${url.pathname}${url.search}` };
  } catch {
    return null;
  }
}

async function attempt(d: ClaimedDelivery, verdict: UrlVerdict, target: Target | null, secrets: string[], deps: DeliverDeps): Promise<AttemptResult> {
  const started = performance.now();
  const ended = (r: Omit<AttemptResult, 'latencyMs' | 'at'>): AttemptResult => ({ ...r, latencyMs: Math.round(performance.now() - started), at: deps.clock.now() });
  if (!verdict.ok || !target) return ended({ statusCode: null, error: `address refused: ${verdict.ok ? 'not a valid URL' : verdict.reason}`, responseSnippet: null });
  const { body } = d;
  // Wall-clock seconds, not the hub's injectable clock: the mall checks this against its own clock (5 min tolerance).
  const timestampSeconds = Math.floor(Date.now() / 1000);
  // A plain timer, cleared once the answer is read: AbortSignal.timeout holds each of its timers
  // through a weak reference and finalisation, extra work on every one of thousands of requests.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new DOMException(`timed out after ${deps.timeoutMs} ms`, 'TimeoutError')), deps.timeoutMs);
  try {
    const res = await deps.agent.request({
      origin: target.origin,
      path: target.path,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'redemption-hub-webhooks/1',
        'webhook-id': d.eventId,
        'webhook-timestamp': String(timestampSeconds),
        'webhook-signature': signStandardWebhook({ secret: secrets, id: d.eventId, timestampSeconds, body }),
      },
      body,
      signal: abort.signal,
    });
    return ended({ statusCode: res.statusCode, error: null, responseSnippet: await readSnippet(res) });
  } catch (err) {
    const e = err as Error & { code?: string };
    const reason = abort.signal.aborted ? `timed out after ${deps.timeoutMs} ms` : (!e.code || e.message.includes(e.code) ? e.message : `${e.code}: ${e.message}`);
    return ended({ statusCode: null, error: reason.slice(0, SNIPPET), responseSnippet: null });
  } finally {
    clearTimeout(timer);
  }
}

/** The first 500 characters of a response (a longer rest is not read, and that socket is not reused). */
async function readSnippet(res: Dispatcher.ResponseData): Promise<string | null> {
  // The usual short answer ("ok", a small JSON, a 204) is read whole; only a long or unsized one is cut off.
  const length = Number(res.headers['content-length'] ?? Number.NaN);
  if (length <= 4 * SNIPPET) {
    const text = await res.body.text().catch(() => '');
    return text ? text.slice(0, SNIPPET) : null;
  }
  const decoder = new TextDecoder();
  let text = '';
  let cut = false;
  try {
    for await (const chunk of res.body) {
      text += decoder.decode(chunk as Buffer, { stream: true });
      if (text.length >= SNIPPET) {
        cut = true;
        break;
      }
    }
  } catch {
    // A body cut off mid-way still tells the status; keep what arrived.
  } finally {
    if (cut) res.body.destroy();
  }
  return text ? text.slice(0, SNIPPET) : null;
}
