import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { safeEqual } from '../../shared/safe-equal.ts';
import type { SandboxClock } from '../common/clock.ts';
import { type Faults, hang, sleep } from '../common/faults.ts';
import type { BrandState } from './state.ts';

/** Answers in the brand's error form `{"error": {"type", "message"}}`. */
export function brandError(c: Context, status: number, type: string, message: string, extra: Record<string, string> = {}): Response {
  return c.json({ error: { type, message, ...extra } }, status as 400);
}

/**
 * What stands before every supplier API call, in the order a real gateway applies it: count it,
 * add latency, check the bearer key, rate-limit (429 + Retry-After), then the injected hang and
 * 5xx faults; finally let the lifecycle catch up with the clock so reads see current state.
 */
export function gateway(opts: { apiKey: string; faults: Faults; onRequest: () => void; catchUp: () => Promise<void> }): MiddlewareHandler {
  const expected = `Bearer ${opts.apiKey}`;
  return async (c, next) => {
    opts.onRequest();
    const f = opts.faults;
    if (f.config.latencyMs) await sleep(f.config.latencyMs);
    if (!safeEqual(c.req.header('authorization') ?? '', expected)) return brandError(c, 401, 'authentication_error', 'Invalid API key');
    if (f.rateLimited(Date.now())) {
      c.header('Retry-After', '1');
      return brandError(c, 429, 'rate_limited', 'Too many requests');
    }
    if (f.shouldHang()) return hang();
    if (f.shouldError()) return brandError(c, 503, 'service_unavailable', 'The service is temporarily unavailable');
    await opts.catchUp();
    await next();
  };
}

/**
 * Idempotency-Key on every POST: the first successful answer is kept 24 h of sandbox time (the
 * brand's retention policy, business time: tests advance the clock to see a key forgotten) and
 * replayed for the same key; the same key with another request is refused. Errors are not kept,
 * so a retry after a stockout or a 5xx is a fresh attempt. The "unknown outcome" fault sits here
 * too: the write is done and kept, then the answer is withheld.
 */
export function idempotency(opts: { state: BrandState; faults: Faults; clock: SandboxClock }): MiddlewareHandler {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (!key) return brandError(c, 400, 'idempotency_key_required', 'Every POST needs an Idempotency-Key header');
    const raw = await c.req.text();
    const fingerprint = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${raw}`).digest('hex');
    const nowMs = opts.clock.now().getTime();
    const kept = opts.state.answerFor(key, nowMs);
    if (kept && kept.fingerprint !== fingerprint) return brandError(c, 422, 'idempotency_key_reused', 'This Idempotency-Key was used with another request');
    if (kept) return c.body(kept.body, kept.status as 200, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
    await next();
    if (c.res.status >= 200 && c.res.status < 300) {
      opts.state.keepAnswer(key, { fingerprint, status: c.res.status, body: await c.res.clone().text(), atMs: nowMs });
    }
    if (c.res.status < 300 && opts.faults.shouldLoseAnswer()) await hang();
  };
}
