import { Hono } from 'hono';
import { CallbackSender } from '../common/callbacks.ts';
import { Timeline } from '../common/clock.ts';
import type { Sandbox, SandboxContext } from '../common/context.ts';
import { controlRoutes } from '../common/control.ts';
import { Faults } from '../common/faults.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
import { TOPICS } from '../../taobao/inbound.ts';
import { SandboxCatalog } from './catalog.ts';
import { catalogMethods } from './catalog-methods.ts';
import { taobaoAfterSales, taobaoLedger } from './ledger.ts';
import { TaobaoLifecycle } from './lifecycle.ts';
import type { MethodEnv } from './method-env.ts';
import { orderMethods } from './order-methods.ts';
import { TaobaoPushes } from './pushes.ts';
import { refundMethods } from './refund-methods.ts';
import { topRouter } from './router.ts';
import { TaobaoSessions } from './sessions.ts';
import { TaobaoState } from './state.ts';

/** Options of the Taobao sandbox: the account's credentials, plus the seller TOP names in pushes. */
export interface TaobaoSandboxOptions {
  id: string;
  appKey: string;
  appSecret: string;
  session: string;
  refreshToken: string;
  /** Catalog revision served at start (default 0); `reviseCatalog` moves it on. */
  revision?: number;
  userId?: number;
  nick?: string;
  /** Delay between push retries (CallbackSender); tests shorten it. */
  pushRetryDelayMs?: number;
}

/** The Taobao sandbox, with handles beyond the common ones for catalog revisions and seller-side closes. */
export interface TaobaoSandbox extends Sandbox {
  kind: 'taobao';
  /** Publishes the next catalog revision now and pushes item_StockChanged / item_PriceChanged (100 ids a message). */
  reviseCatalog(): Promise<number>;
  /** The seller closes an unshipped order (e.g. it cannot ship); pushes fenxiao_OrderClosed. False when it cannot. */
  closeBySeller(purchaseOrderId: string, reason: string): Promise<boolean>;
  /** The purchase order id held for a distributor order number. */
  orderIdFor(reference: string): string | undefined;
}

const ITEM_IDS_PER_PUSH = 100;

/**
 * A simulated Taobao distributor account (TOP 供销): POST /router/rest and /oauth/token as TOP
 * speaks them, signed pushes to `${hubUrl}/webhooks/taobao`, and `/sandbox` control routes.
 */
export function createTaobaoSandbox(ctx: SandboxContext, opts: TaobaoSandboxOptions): TaobaoSandbox {
  const faults = new Faults();
  const callbacks = new CallbackSender(faults, { retryDelayMs: opts.pushRetryDelayMs ?? 50, clock: ctx.clock });
  const timeline = new Timeline();
  const startedAt = ctx.clock.now();
  // Ids are built from the wall-clock second of the start (see TaobaoState), not from sandbox time.
  const state = new TaobaoState(new Date());
  // The catalog was published a day before the sandbox started, so a first full sync sees it as old.
  const catalog = new SandboxCatalog({ seed: ctx.seed, size: ctx.skus, revision: opts.revision ?? 0, publishedAt: new Date(startedAt.getTime() - 86_400_000), state, faults, ...(ctx.drift ? { drift: ctx.drift } : {}) });
  const who = { appSecret: opts.appSecret, userId: opts.userId ?? 2_200_000_001, nick: opts.nick ?? '积分商城分销' };
  const pushes = new TaobaoPushes({ hubUrl: ctx.hubUrl, callbacks, who, nextId: () => state.nextId().id });
  const lifecycle = new TaobaoLifecycle({ delays: ctx.lifecycle, timeline, pushes, faults });
  const env: MethodEnv = { catalog, state, lifecycle, faults };
  let requests = 0;
  // Pushes go out one flush after another; tick awaits the chain so tests see them delivered.
  let sending: Promise<void> = Promise.resolve();
  const send = (): Promise<void> => (sending = sending.then(() => callbacks.flush()).catch(() => undefined));

  const app = new Hono();
  const sandbox: TaobaoSandbox = {
    id: opts.id,
    kind: 'taobao',
    app,
    faults,
    callbacks,
    credentials: { appKey: opts.appKey, appSecret: opts.appSecret, session: opts.session, refreshToken: opts.refreshToken },
    async tick(now) {
      await timeline.runDue(now);
      await send();
    },
    requestCount: () => requests,
    ordersFor: (reference) => state.ordersFor(reference),
    orderLedger: () => taobaoLedger(state),
    afterSales: () => taobaoAfterSales(state),
    orderIdFor: (reference) => state.orderByNo.get(reference),
    async reviseCatalog() {
      const now = ctx.clock.now();
      const changed = catalog.revise(now);
      const modified = formatUtc8Timestamp(now);
      for (const [topic, ids] of [[TOPICS.stockChanged, changed.stock], [TOPICS.priceChanged, changed.price]] as const) {
        for (let at = 0; at < ids.length; at += ITEM_IDS_PER_PUSH) pushes.push(topic, { num_iids: ids.slice(at, at + ITEM_IDS_PER_PUSH).map(Number), modified });
      }
      await send();
      return catalog.revision;
    },
    async closeBySeller(purchaseOrderId, reason) {
      const order = state.orders.get(purchaseOrderId);
      if (!order || order.status !== 'WAIT_SELLER_SEND_GOODS') return false;
      const now = ctx.clock.now();
      for (const line of order.lines) state.take(line.index, order.provinceCode, -line.num, now);
      lifecycle.closed(order, reason, now);
      await send();
      return true;
    },
  };

  const methods = { ...catalogMethods(env), ...orderMethods(env), ...refundMethods(env) };
  const sessions = new TaobaoSessions(faults, opts.session);
  app.route('/', topRouter({ ...opts, ...who, clock: ctx.clock, faults, sessions, methods, counted: () => void requests++, afterChange: () => void send() }));
  app.post('/sandbox/catalog/revise', async (c) => c.json({ revision: await sandbox.reviseCatalog() }));
  app.route('/sandbox', controlRoutes(sandbox, ctx.clock));
  ctx.clock.onAdvance((now) => sandbox.tick(now));
  return sandbox;
}
