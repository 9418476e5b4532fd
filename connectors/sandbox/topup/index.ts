import { Hono } from 'hono';
import type { TopupProviderId } from '../../../fixtures/catalog/index.ts';
import { CallbackSender } from '../common/callbacks.ts';
import { Timeline } from '../common/clock.ts';
import { DEFAULT_TOPUP_FAIL_RATE, type Sandbox, type SandboxContext } from '../common/context.ts';
import { controlRoutes } from '../common/control.ts';
import { Faults } from '../common/faults.ts';
import { topupLedger } from './ledger.ts';
import { issueCards, outcomeOf, resultCallback, successDescription } from './lifecycle.ts';
import { apiRoutes } from './routes.ts';
import { type LedgerEntry, type SandboxTopupOrder, TopupState } from './state.ts';

export type { LedgerEntry } from './state.ts';

/** Options of one simulated top-up provider account. */
export interface TopupSandboxOptions {
  id: TopupProviderId;
  appKey: string;
  appSecret: string;
  /** Prepaid balance at start (default 10 000 000 fen = 100 000 yuan). */
  balanceFen?: number;
  /** Share of well-formed recharges that fail anyway, by a seeded hash of customer_order_no (default 0.05). */
  failRate?: number;
  /** Where result callbacks go (default `${hubUrl}/webhooks/topup/${id}`). */
  callbackUrl?: string;
  /** Real-time pause between callback attempts, times the attempt number (default 50 ms; real platforms spread 8 over 2 h). */
  callbackRetryDelayMs?: number;
}

/** A running top-up sandbox plus its money trail: `ledger()` proves an order was charged exactly once. */
export interface TopupSandbox extends Sandbox {
  kind: 'topup';
  /** Every charge and refund so far, oldest first (also `GET /sandbox/ledger`). */
  ledger(): readonly LedgerEntry[];
  balanceFen(): number;
  /** Sets the prepaid balance (also `PUT /sandbox/balance {balance_fen}`), e.g. to provoke 2002. */
  setBalanceFen(fen: number): void;
}

/**
 * A recharge platform in the `topup/{provider}` wire format: `POST /api` signed JSON, a prepaid
 * balance charged once per customer_order_no, results decided `ctx.lifecycle.topupResultAfterMs`
 * after the order on the virtual clock and pushed to the hub until it answers `success`.
 *
 * Faults: latency, rate limit (1003), hangs, failNext / errorRate as 5000 "system busy", lost
 * answers of order.*.add (the order is charged, the answer never comes), stockoutSkus as 2001
 * out_of_stock, and the callback faults. There are no tokens and no regions, so `expireTokens` and
 * `stockoutRegions` do not apply; the product list is a few hundred items whatever `ctx.skus` says.
 * Results are due on the virtual clock: `ctx.clock.advance` (or the host calling `tick`) runs them.
 */
export function createTopupSandbox(ctx: SandboxContext, opts: TopupSandboxOptions): TopupSandbox {
  const { id, appKey, appSecret } = opts;
  const failRate = opts.failRate ?? ctx.lifecycle.topupFailRate ?? DEFAULT_TOPUP_FAIL_RATE;
  const faults = new Faults();
  const callbacks = new CallbackSender(faults, { retryDelayMs: opts.callbackRetryDelayMs ?? 50, clock: ctx.clock });
  const timeline = new Timeline();
  const state = new TopupState(id, ctx.seed, opts.balanceFen ?? 10_000_000);
  const callbackUrl = opts.callbackUrl ?? `${ctx.hubUrl}/webhooks/topup/${id}`;
  const now = () => ctx.clock.now();
  let requests = 0;

  const finish = (order: SandboxTopupOrder, at: Date) => {
    const outcome = outcomeOf(order, ctx.seed, failRate);
    order.finishedAt = at;
    if (outcome.ok) {
      order.status = 'success';
      order.description = successDescription(order);
      if (order.product.type === 'voucher') order.cards = issueCards(order, appSecret, at);
    } else {
      order.status = 'failed';
      order.description = outcome.reason;
      state.refund(order, at);
    }
    // The callback's `timestamp` is the send time on the wall clock (the hub refuses one outside its
    // window); `charge_finish_time` is the business time the result was due, on the sandbox clock.
    callbacks.enqueue(resultCallback(callbackUrl, order, appSecret, () => new Date()));
  };
  const accepted = (order: SandboxTopupOrder) => {
    const due = new Date(order.createdAt.getTime() + ctx.lifecycle.topupResultAfterMs);
    timeline.at(due, () => finish(order, due));
  };

  const app = new Hono();
  const sandbox: TopupSandbox = {
    id,
    kind: 'topup',
    app,
    faults,
    callbacks,
    credentials: { appKey, appSecret },
    async tick(at: Date) {
      await timeline.runDue(at);
      await callbacks.flush();
    },
    requestCount: () => requests,
    ordersFor: (reference) => state.countFor(reference),
    orderLedger: () => topupLedger(state),
    // Recharges have no after-sales: a failed one is refunded to the balance (see the ledger).
    afterSales: () => [],
    ledger: () => state.ledger,
    balanceFen: () => state.balanceFen,
    setBalanceFen: (fen) => {
      state.balanceFen = fen;
    },
  };

  const control = controlRoutes(sandbox, ctx.clock);
  control.get('/ledger', (c) => c.json({ balance_fen: state.balanceFen, entries: state.ledger }));
  control.put('/balance', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { balance_fen?: unknown };
    if (!Number.isInteger(body.balance_fen)) return c.json({ error: { type: 'invalid_balance', message: 'balance_fen must be an integer' } }, 400);
    state.balanceFen = body.balance_fen as number;
    return c.json({ balance_fen: state.balanceFen });
  });
  app.route('/sandbox', control);
  app.route('/', apiRoutes({ state, faults, now, accepted, appKey, appSecret, onRequest: () => requests++ }));
  ctx.clock.onAdvance((at) => sandbox.tick(at));
  return sandbox;
}
