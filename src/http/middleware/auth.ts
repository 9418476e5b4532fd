import type { MiddlewareHandler } from 'hono';
import { AppError, forbidden, unauthorized } from '../../domain/errors.ts';
import type { StaffRole } from '../../domain/principal.ts';
import type { RateDecision } from '../../redis/rate-limiter.ts';
import type { HubEnv } from '../context.ts';
import { setResponseHeader } from '../response-header.ts';

function bearer(header: string | undefined): string | null {
  const m = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return m?.[1] ?? null;
}

/** Mall routes: a valid mall API key, then the mall's own rate limit. */
export function mallAuth(): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const deps = c.get('deps');
    const secret = bearer(c.req.header('authorization'));
    if (!secret) throw unauthorized('send the mall API key as "Authorization: Bearer <key>"');
    const verified = await deps.credentials.verify(c.get('em'), secret);
    if (verified?.principal.kind !== 'mall') throw unauthorized('invalid mall API key');
    c.set('principal', verified.principal);
    const limit = verified.rateLimit ?? deps.config.rateLimit;
    let decision: RateDecision | undefined;
    try {
      decision = await deps.rateLimiter.take(`mall:${verified.principal.mallId}`, limit.perSec, limit.burst, deps.clock.now().getTime());
    } catch (err) {
      // Redis down: let the request through rather than failing every mall call on a limiter.
      c.get('logger').warn({ err }, 'rate limiter unavailable; request allowed');
    }
    if (decision) {
      // A token bucket: Remaining counts against the bucket (the burst), which refills at perSec;
      // a Limit of perSec next to a Remaining up to the burst read as a broken counter.
      setResponseHeader(c, 'X-RateLimit-Limit', String(limit.burst));
      setResponseHeader(c, 'X-RateLimit-Remaining', String(Math.min(decision.remaining, limit.burst)));
      setResponseHeader(c, 'X-RateLimit-Policy', `${limit.perSec};w=1;burst=${limit.burst}`);
      if (!decision.allowed) {
        throw new AppError('rate_limited', `rate limit of ${limit.perSec} requests/s exceeded`, { retryAfterMs: decision.retryAfterMs });
      }
    }
    await next();
  };
}

/** Admin routes: a staff token (agent or admin) or the bootstrap HUB_ADMIN_TOKEN. */
export function staffAuth(): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const secret = bearer(c.req.header('authorization'));
    if (!secret) throw unauthorized('send a staff token as "Authorization: Bearer <token>"');
    const verified = await c.get('deps').credentials.verify(c.get('em'), secret);
    if (verified?.principal.kind !== 'staff') throw unauthorized('invalid staff token');
    c.set('principal', verified.principal);
    await next();
  };
}

/** Route guard: the staff principal must hold one of `roles` (403 otherwise). */
export function requireRole(...roles: StaffRole[]): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (p?.kind !== 'staff') throw unauthorized();
    if (!roles.includes(p.role)) throw forbidden(`this route needs the ${roles.join(' or ')} role`);
    await next();
  };
}
