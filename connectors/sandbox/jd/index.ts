import { Hono } from 'hono';
import { CallbackSender } from '../common/callbacks.ts';
import { Timeline } from '../common/clock.ts';
import type { Sandbox, SandboxContext } from '../common/context.ts';
import { controlRoutes } from '../common/control.ts';
import { Faults, hang, sleep } from '../common/faults.ts';
import { changedSince, supplierSkuIdOf } from '../../../fixtures/catalog/index.ts';
import { signJd } from '../../jd/sign.ts';
import { JD_METHODS as M, JD_PLATFORM as P } from '../../jd/methods.ts';
import { parseUtc8Timestamp } from '../../shared/timestamp.ts';
import { catalogMethod } from './catalog-methods.ts';
import { ok, platformError } from './envelope.ts';
import { orderMethod } from './order-methods.ts';
import { JdState } from './state.ts';

/** Credentials of the JD sandbox account. */
export interface JdSandboxOptions {
  id: 'jd';
  clientId: string;
  clientSecret: string;
  appKey: string;
  appSecret: string;
}

const WRITES: ReadonlySet<string> = new Set([M.submit, M.confirm, M.cancel, M.afterSaleApply, M.deleteMessages]);

/**
 * A JD VOP-style sandbox: OAuth token, signed form RPC at /routerjson, catalog pools, area stock,
 * two-phase orders that split into child orders, and the message pool instead of webhooks.
 */
export function createJdSandbox(ctx: SandboxContext, opts: JdSandboxOptions): Sandbox & { state: JdState } {
  const faults = new Faults();
  const callbacks = new CallbackSender(faults);
  const timeline = new Timeline();
  const catalog = { seed: ctx.seed, size: ctx.skus };
  const state = new JdState(catalog, faults);
  const app = new Hono();
  const tick = async (now: Date) => {
    await timeline.runDue(now);
  };
  ctx.clock.onAdvance(tick);

  app.route('/sandbox', controlRoutes({ faults, callbacks }, ctx.clock));
  app.post('/sandbox/catalog/revise', (c) => {
    const from = state.revision++;
    const changed = changedSince('jd', from, state.revision, catalog);
    for (const i of changed) state.post(2, { skuId: Number(supplierSkuIdOf('jd', i, catalog)) }, ctx.clock.now());
    return c.json({ revision: state.revision, changed: changed.length });
  });

  app.post('/oauth2/accessToken', async (c) => {
    state.requests++;
    const form = await c.req.parseBody();
    if (form.client_id !== opts.clientId || form.client_secret !== opts.clientSecret) return c.json({ code: '1003', msg: 'invalid_client' }, 401);
    const token = `jd-token-${crypto.randomUUID()}`;
    state.tokens.add(token);
    return c.json({ access_token: token, expires_in: 86_400, time: ctx.clock.now().getTime() });
  });

  app.post('/routerjson', async (c) => {
    state.requests++;
    const f = faults.config;
    if (f.latencyMs) await sleep(f.latencyMs);
    if (faults.roll(f.hangRate)) return hang();
    if (faults.rateLimited(Date.now())) return platformError(c, P.RATE_LIMITED, '调用次数超限', 'call limit exceeded');
    if (faults.shouldError()) return platformError(c, P.SYSTEM_BUSY, '系统繁忙', 'system busy', 503);
    const form = Object.fromEntries(Object.entries(await c.req.parseBody()).map(([k, v]) => [k, String(v)]));
    const { sign, ...signed } = form;
    if (form.app_key !== opts.appKey || sign !== signJd(signed, opts.appSecret)) return platformError(c, P.BAD_SIGN, '签名错误', 'invalid sign');
    const sent = parseUtc8Timestamp(form.timestamp ?? '');
    if (!sent || Math.abs(sent.getTime() - ctx.clock.now().getTime()) > 10 * 60_000) return platformError(c, P.BAD_TIMESTAMP, '时间戳错误', 'timestamp out of range');
    if (f.expireTokens) {
      // One-shot: every token issued so far expires; a refreshed one works.
      state.tokens.clear();
      faults.set({ ...f, expireTokens: false });
    }
    if (!state.tokens.has(form.access_token ?? '')) return platformError(c, P.TOKEN_EXPIRED, 'access_token已过期', 'access token expired');
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(form['360buy_param_json'] ?? '{}') as Record<string, unknown>;
    } catch {
      return platformError(c, '1001', '参数错误', 'invalid 360buy_param_json');
    }
    const method = form.method ?? '';
    const answer = catalogMethod(c, method, params, state, catalog) ?? orderMethod(c, method, params, state, timeline, ctx) ?? poolMethod(c, method, params);
    if (!answer) return platformError(c, P.UNKNOWN_METHOD, '方法不存在', `unknown method ${method}`);
    // Unknown outcome: the write happened, the answer is lost.
    if (WRITES.has(method) && faults.shouldLoseAnswer()) return hang();
    return answer;
  });

  function poolMethod(c: Parameters<typeof ok>[0], method: string, p: Record<string, unknown>): Response | undefined {
    if (method === M.messages) {
      const types = new Set(String(p.type ?? '').split(',').filter(Boolean).map(Number));
      return ok(c, method, state.pool.filter((m) => types.size === 0 || types.has(m.type)).slice(0, 100));
    }
    if (method === M.deleteMessages) {
      const ids = new Set(String(p.id ?? '').split(','));
      for (let i = state.pool.length - 1; i >= 0; i--) if (ids.has(state.pool[i]?.id ?? '')) state.pool.splice(i, 1);
      return ok(c, method, true);
    }
    return undefined;
  }

  return {
    id: opts.id,
    kind: 'jd',
    app,
    faults,
    callbacks,
    credentials: { clientId: opts.clientId, clientSecret: opts.clientSecret, appKey: opts.appKey, appSecret: opts.appSecret },
    tick,
    requestCount: () => state.requests,
    ordersFor: (reference) => [...state.orders.values()].filter((o) => o.thirdOrder === reference).length,
    state,
  };
}
