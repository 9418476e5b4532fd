import { Hono } from 'hono';
import type { WebhookRequest } from '../../connector.ts';
import { CallbackSender } from '../common/callbacks.ts';
import { Timeline } from '../common/clock.ts';
import type { Sandbox, SandboxContext } from '../common/context.ts';
import { controlRoutes } from '../common/control.ts';
import { Faults } from '../common/faults.ts';
import { BrandCatalog, type BrandSupplierId } from './catalog.ts';
import { catalogRoutes } from './catalog-routes.ts';
import { gateway } from './guard.ts';
import { brandAfterSales, brandLedger } from './ledger.ts';
import { BrandLifecycle } from './lifecycle.ts';
import { orderRoutes } from './order-routes.ts';
import { BrandOrders } from './orders.ts';
import { BrandState } from './state.ts';
import { brandEvent, BrandWebhookSender } from './webhooks.ts';

export type { BrandSupplierId } from './catalog.ts';

/** Options of one brand sandbox: which brand, and the credentials it accepts and signs with. */
export interface BrandSandboxOptions {
  id: BrandSupplierId;
  apiKey: string;
  webhookSecret: string;
  /** Sandbox time between catalog revisions (price/stock/listing updates); default one day. */
  revisionEveryMs?: number;
  /**
   * Clock for the webhook signature's `t` (default: wall time). Signature freshness is about
   * transport, so it follows the real clock even when tests move the sandbox clock forward;
   * event `created` times are sandbox time.
   */
  signingNow?: () => Date;
  /** Callback retry pacing (tests shorten it). */
  callbackRetryDelayMs?: number;
}

/** A running brand sandbox, with a helper to get a genuine signed webhook for verification tests. */
export interface BrandSandbox extends Sandbox {
  kind: 'brand';
  /** A genuine `order.accepted` webhook as this brand would send it now (not queued). */
  sampleWebhook(): WebhookRequest;
}

/**
 * A brand supplier (`brand/{id}`) in-process: the REST API of suppliers.md under `/v1`, the
 * control routes under `/sandbox`, orders moving on the sandbox clock and signed webhooks to
 * `${ctx.hubUrl}/webhooks/brand/{id}`. The catalog is generated on demand from fixtures/catalog.
 */
export function createBrandSandbox(ctx: SandboxContext, opts: BrandSandboxOptions): BrandSandbox {
  const faults = new Faults();
  const callbacks = new CallbackSender(faults, { retryDelayMs: opts.callbackRetryDelayMs ?? 50, clock: ctx.clock });
  const timeline = new Timeline();
  const state = new BrandState({ seed: ctx.seed, faults });
  const catalog = new BrandCatalog({ supplier: opts.id, seed: ctx.seed, size: ctx.skus, start: ctx.clock.now(), revisionEveryMs: opts.revisionEveryMs ?? 24 * 3600_000, ...(ctx.drift ? { drift: ctx.drift } : {}) });
  const webhooks = new BrandWebhookSender({ callbacks, hubUrl: ctx.hubUrl, supplierId: opts.id, secret: opts.webhookSecret, signingNow: opts.signingNow ?? (() => new Date()) });
  const lifecycle = new BrandLifecycle({ timeline, webhooks, delays: ctx.lifecycle, faults });
  const orders = new BrandOrders({ catalog, state, lifecycle, faults });
  let requests = 0;

  const tick = async (now: Date): Promise<void> => {
    await timeline.runDue(now);
    await callbacks.flush();
  };

  const api = new Hono();
  api.use(
    '*',
    gateway({
      apiKey: opts.apiKey,
      faults,
      onRequest: () => void requests++,
      // Steps that fell due while nobody advanced the clock run before a request reads state;
      // their webhooks go out in the background so the answer is not held up.
      catchUp: async () => {
        if ((await timeline.runDue(ctx.clock.now())) > 0) void callbacks.flush();
      },
    }),
  );
  api.route('/', catalogRoutes({ catalog, state, clock: ctx.clock }));
  api.route('/', orderRoutes({ orders, state, faults, clock: ctx.clock }));
  api.notFound((c) => c.json({ error: { type: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  const app = new Hono();
  // Webhooks for order creation and cancellation go out right away, not at the next tick.
  app.use('/v1/*', async (_c, next) => {
    await next();
    void callbacks.flush();
  });
  app.route('/v1', api);
  app.route('/sandbox', controlRoutes({ id: opts.id, faults, callbacks, orderLedger: () => brandLedger(state), afterSales: () => brandAfterSales(state) }, ctx.clock));

  const sandbox: BrandSandbox = {
    id: opts.id,
    kind: 'brand',
    app,
    faults,
    callbacks,
    credentials: { apiKey: opts.apiKey, webhookSecret: opts.webhookSecret },
    tick,
    requestCount: () => requests,
    ordersFor: (reference) => orders.countFor(reference),
    orderLedger: () => brandLedger(state),
    afterSales: () => brandAfterSales(state),
    sampleWebhook: () => {
      const event = brandEvent('order.accepted', { orderId: `${opts.id.replace(/^brand-/, '').toUpperCase()}-O-SAMPLE`, clientReference: 'sample-reference', status: 'accepted' }, ctx.clock.now());
      const { headers, rawBody } = webhooks.sign(event);
      return { headers, rawBody };
    },
  };
  ctx.clock.onAdvance((now) => tick(now));
  return sandbox;
}
