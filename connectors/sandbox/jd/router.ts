import type { Context } from 'hono';
import { type Faults, hang, sleep } from '../common/faults.ts';
import type { Timeline } from '../common/clock.ts';
import type { SandboxContext } from '../common/context.ts';
import { JD_METHODS as M, JD_PLATFORM as P } from '../../jd/methods.ts';
import { verifyJdSign } from '../../jd/sign.ts';
import { parseUtc8Timestamp } from '../../shared/timestamp.ts';
import { afterSaleMethod } from './aftersale-methods.ts';
import { catalogMethod } from './catalog-methods.ts';
import { platformError } from './envelope.ts';
import { orderMethod } from './order-methods.ts';
import { poolMethod } from './pool-methods.ts';
import type { JdState } from './state.ts';

/** Calls whose effect stays even when the answer is lost (the "unknown outcome" fault applies to them). */
const WRITES: ReadonlySet<string> = new Set([M.submit, M.confirm, M.cancel, M.afterSaleApply, M.deleteMessages]);
const MAX_SKEW_MS = 10 * 60_000;

/** What the /routerjson handler needs from its sandbox. */
export interface RouterDeps {
  appKey: string;
  appSecret: string;
  state: JdState;
  faults: Faults;
  timeline: Timeline;
  ctx: SandboxContext;
  catalog: { seed: number; size: number };
}

/**
 * POST /routerjson: faults first (latency, hang, rate limit, system busy), then the checks JD makes
 * in its own order (sign, timestamp, token), then the method; a write's answer may be withheld.
 */
export function routerHandler(d: RouterDeps) {
  const { state, faults, ctx } = d;
  let injected = 0;
  return async (c: Context): Promise<Response> => {
    state.requests++;
    const f = faults.config;
    if (f.latencyMs) await sleep(f.latencyMs);
    if (faults.shouldHang()) return hang();
    if (faults.rateLimited(Date.now())) return platformError(c, P.RATE_LIMITED, '调用次数超限', 'call limit exceeded');
    // Injected failures alternate between JD's "system busy" and a bare gateway 502 in front of it.
    const form = Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)]));
    if (faults.shouldError(form.method)) return injected++ % 2 === 0 ? platformError(c, P.SYSTEM_BUSY, '系统繁忙', 'system busy', 503) : c.text('<html>502 Bad Gateway</html>', 502);
    if (form.app_key !== d.appKey || !verifyJdSign(form, d.appSecret)) return platformError(c, P.BAD_SIGN, '签名错误', 'invalid sign');
    // The timestamp and the token are transport: checked against wall time, as JD's gateway does
    // and as the hub signs, so advancing the sandbox clock never makes JD refuse the hub's calls.
    const wallMs = Date.now();
    const sent = parseUtc8Timestamp(form.timestamp ?? '');
    if (!sent || Math.abs(sent.getTime() - wallMs) > MAX_SKEW_MS) return platformError(c, P.BAD_TIMESTAMP, '时间戳错误', 'timestamp out of range');
    if (f.expireTokens) {
      // One-shot: every token issued so far expires; a refreshed one works.
      state.tokens.clear();
      faults.set({ ...f, expireTokens: false });
    }
    const expiresAt = state.tokens.get(form.access_token ?? '');
    if (expiresAt === undefined || expiresAt <= wallMs) return platformError(c, P.TOKEN_EXPIRED, 'access_token已过期', 'access token expired');
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(form['360buy_param_json'] ?? '{}') as Record<string, unknown>;
    } catch {
      return platformError(c, '1001', '参数错误', 'invalid 360buy_param_json');
    }
    const method = form.method ?? '';
    // Business time: the pool shows messages stamped on the sandbox clock once that clock reaches them.
    const now = ctx.clock.now();
    const answer =
      catalogMethod(c, method, params, state, d.catalog) ??
      orderMethod(c, method, params, state, d.timeline, ctx) ??
      afterSaleMethod(c, method, params, state, d.timeline, ctx) ??
      poolMethod(c, method, params, state, now);
    if (!answer) return platformError(c, P.UNKNOWN_METHOD, '方法不存在', `unknown method ${method}`);
    // Unknown outcome: the write happened, the answer is lost.
    if (WRITES.has(method) && faults.shouldLoseAnswer()) return hang();
    return answer;
  };
}
