import type { Hono } from 'hono';
import type { CallbackSender } from './callbacks.ts';
import type { SandboxClock } from './clock.ts';
import type { Faults } from './faults.ts';
import type { LedgerAfterSale, LedgerOrder } from './ledger.ts';

/**
 * What every sandbox is built from: shared time, catalog size and seed, and where the hub listens.
 * `clock` is supplier business time (lifecycles, created/modified stamps); request signatures,
 * callback signatures and tokens use wall time (see clock.ts).
 */
export interface SandboxContext {
  clock: SandboxClock;
  /** Catalog seed and goods SKUs per supplier (20 000 for npm start, ≤ 2 000 in tests). */
  seed: number;
  skus: number;
  /** Base URL of the hub, for pushes and callbacks (e.g. http://127.0.0.1:3000). */
  hubUrl: string;
  /**
   * Share of goods SKUs served with drifted prices (fixtures' CatalogOptions.drift), read at each
   * request so `POST /sandbox/catalog/drift` changes what every supplier serves from then on.
   */
  drift?: CatalogDrift;
  /**
   * Virtual-time delays of the order lifecycle (ms): accepted→shipped→in transit→delivered, top-up
   * result; and the share of recharges a platform fails (decided per order number, so a test that
   * needs one outcome sets 0 or 1). `splitGapMs` (default a minute) separates the parcels of a
   * split JD order. The after-sale steps (see aftersale-steps.ts) count from the apply: reviewed
   * (approved or refused) at `afterSaleReviewAfterMs` (default `shipAfterMs`), a return's goods
   * received back at `returnReceivedAfterMs` (default `transitAfterMs`), refunded, or an exchange's
   * replacement shipped, at `afterSaleRefundAfterMs` (default `deliverAfterMs`).
   */
  lifecycle: {
    shipAfterMs: number;
    transitAfterMs: number;
    deliverAfterMs: number;
    topupResultAfterMs: number;
    topupFailRate?: number;
    splitGapMs?: number;
    afterSaleReviewAfterMs?: number;
    returnReceivedAfterMs?: number;
    afterSaleRefundAfterMs?: number;
  };
}

/** A mutable drift share shared by the suppliers of one sandbox host (0: the catalog as generated). */
export interface CatalogDrift {
  share: number;
}

/** The share of recharges a real platform fails as a channel failure. */
export const DEFAULT_TOPUP_FAIL_RATE = 0.05;

/** A real supplier's pace: ships in hours, delivers the next day, tops up in half a minute. */
export const defaultLifecycle: SandboxContext['lifecycle'] = {
  shipAfterMs: 2 * 3600_000,
  transitAfterMs: 6 * 3600_000,
  deliverAfterMs: 24 * 3600_000,
  splitGapMs: 60_000,
  topupResultAfterMs: 30_000,
  topupFailRate: DEFAULT_TOPUP_FAIL_RATE,
};

/** A running sandbox supplier: its HTTP app plus the handles tests use to steer it. */
export interface Sandbox {
  id: string;
  kind: 'jd' | 'taobao' | 'brand' | 'topup';
  app: Hono;
  faults: Faults;
  callbacks: CallbackSender;
  /** The credentials a connector needs to talk to this sandbox. */
  credentials: Record<string, string>;
  /** Runs whatever became due at `now` (shipping, delivery, recharge results) and sends callbacks. */
  tick(now: Date): Promise<void>;
  /** Supplier API requests received so far (control routes excluded), to prove retries happened or not. */
  requestCount(): number;
  /** Orders the sandbox holds for a hub reference (thirdOrder / clientReference / customer_order_no): proves "never a second one". */
  ordersFor(reference: string): number;
  /** Every order it holds, in one shape for all suppliers (also `GET /{id}/sandbox/orders`), for checks against the hub's own records. */
  orderLedger(): LedgerOrder[];
  /** Every after-sale it holds, in one shape for all suppliers (also `GET /{id}/sandbox/after-sales`); empty for suppliers without after-sales. */
  afterSales(): LedgerAfterSale[];
}
