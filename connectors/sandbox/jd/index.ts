import { Hono } from 'hono';
import { CallbackSender } from '../common/callbacks.ts';
import { Timeline } from '../common/clock.ts';
import type { Sandbox, SandboxContext } from '../common/context.ts';
import { controlRoutes } from '../common/control.ts';
import { Faults } from '../common/faults.ts';
import { jdControlRoutes } from './catalog-control.ts';
import { jdAfterSales, jdLedger } from './ledger.ts';
import { routerHandler } from './router.ts';
import { JdState } from './state.ts';

/** Credentials of the JD sandbox account: OAuth client for tokens, app key and secret for signing. */
export interface JdSandboxOptions {
  id: 'jd';
  clientId: string;
  clientSecret: string;
  appKey: string;
  appSecret: string;
}

/** Lifetime of an access token, as JD's OAuth answers it (`expires_in`, seconds). */
export const JD_TOKEN_TTL_S = 86_400;

/**
 * A JD VOP-style sandbox: OAuth token, signed form RPC at /routerjson, catalog pools, area stock,
 * two-phase orders that split into child orders, after-sales, and the message pool instead of
 * webhooks. The pool is filled as orders move (on `tick`) and is what callback faults act on.
 */
export function createJdSandbox(ctx: SandboxContext, opts: JdSandboxOptions): Sandbox & { state: JdState } {
  const faults = new Faults();
  // JD has no webhooks (the hub reads the message pool: GET /sandbox/messages); the sender is only
  // there for the shared control routes, so `/sandbox/callbacks` stays empty.
  const callbacks = new CallbackSender(faults, { clock: ctx.clock });
  const timeline = new Timeline();
  // drift is read at each request (POST /sandbox/catalog/drift changes it); goodsSku gets it through state.sku.
  const catalog = { seed: ctx.seed, size: ctx.skus, get drift() { return ctx.drift?.share ?? 0; } };
  const state = new JdState(catalog, faults);
  const tick = async (now: Date) => {
    await timeline.runDue(now);
  };
  ctx.clock.onAdvance(tick);

  const app = new Hono();
  app.route('/sandbox', controlRoutes({ id: opts.id, faults, callbacks, orderLedger: () => jdLedger(state), afterSales: () => jdAfterSales(state) }, ctx.clock));
  app.route('/sandbox', jdControlRoutes(state, catalog, ctx.clock));
  app.post('/oauth2/accessToken', async (c) => {
    state.requests++;
    const form = await c.req.parseBody();
    if (form.client_id !== opts.clientId || form.client_secret !== opts.clientSecret) return c.json({ code: '1003', msg: 'invalid_client' }, 401);
    const token = `jd-token-${crypto.randomUUID()}`;
    // Token lifetimes run on wall time (the hub counts expires_in on its own clock), not the sandbox clock.
    const issuedMs = Date.now();
    state.tokens.set(token, issuedMs + JD_TOKEN_TTL_S * 1000);
    return c.json({ access_token: token, expires_in: JD_TOKEN_TTL_S, token_type: 'bearer', time: issuedMs });
  });
  app.post('/routerjson', routerHandler({ appKey: opts.appKey, appSecret: opts.appSecret, state, faults, timeline, ctx, catalog }));

  return {
    id: opts.id,
    kind: 'jd',
    app,
    faults,
    callbacks,
    credentials: { clientId: opts.clientId, clientSecret: opts.clientSecret, appKey: opts.appKey, appSecret: opts.appSecret },
    tick,
    requestCount: () => state.requests,
    // Counted over all orders rather than the index, so a second order for one thirdOrder would show.
    ordersFor: (reference) => [...state.orders.values()].filter((o) => o.thirdOrder === reference).length,
    orderLedger: () => jdLedger(state),
    afterSales: () => jdAfterSales(state),
    state,
  };
}
