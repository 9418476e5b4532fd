import type { CallbackRecord } from './callbacks.ts';
import type { SandboxClock } from './clock.ts';
import type { Sandbox } from './context.ts';
import { FaultConfig, type InjectedCounts } from './faults.ts';

/** What the inspection routes read of a sandbox: its ledgers, callbacks and fault counters. */
export type InspectedSandbox = Pick<Sandbox, 'id' | 'kind' | 'faults' | 'callbacks' | 'orderLedger' | 'afterSales'>;

/** One supplier in `GET /sandbox`: counts of what it holds and sent, and where to see each in full. */
export interface SupplierSummary {
  id: string;
  kind: Sandbox['kind'];
  orders: { total: number; live: number; shipped: number; delivered: number; issued: number; cancelled: number };
  afterSales: { total: number; open: number };
  /** Over the deliveries it remembers (the last 500). */
  callbacks: { recorded: number } & Record<CallbackRecord['outcome'], number>;
  faultsInjected: InjectedCounts;
  /** The faults set now that differ from the defaults (`GET …/faults` has them all). */
  faultsInForce: Partial<FaultConfig>;
  links: Record<string, string>;
}

const NO_FAULTS = FaultConfig.parse({});

/** The faults of a config that differ from the defaults, by name. */
export function faultsInForce(config: FaultConfig): Partial<FaultConfig> {
  return Object.fromEntries(Object.entries(config).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(NO_FAULTS[k as keyof FaultConfig])));
}

/**
 * The after-sale faults (JD, Taobao, brands; top-up providers take no after-sales), named on the
 * page so they can be found without the docs (docs/suppliers.md, "Faults", says what each does).
 */
export const AFTER_SALE_FAULTS = ['afterSaleRefusal', 'afterSalePartialRefund', 'returnNeverReceived', 'lostAfterSaleCallbacks'] as const;

/** The parcel faults (JD, Taobao, brands: the goods sandboxes), named on the page as the after-sale ones are. */
export const PARCEL_FAULTS = ['parcelTrouble'] as const;

/** The control routes of a supplier, relative to the sandbox host. */
export function supplierLinks(s: Pick<Sandbox, 'id' | 'kind'>): Record<string, string> {
  const base = `/${encodeURIComponent(s.id)}`;
  return {
    api: base,
    orders: `${base}/sandbox/orders`,
    afterSales: `${base}/sandbox/after-sales`,
    callbacks: `${base}/sandbox/callbacks`,
    faults: `${base}/sandbox/faults`,
    faultsInjected: `${base}/sandbox/faults/injected`,
    // JD has no webhooks: what it would tell the hub waits in its message pool.
    ...(s.kind === 'jd' ? { messages: `${base}/sandbox/messages` } : {}),
  };
}

/** Counts of one supplier's orders, after-sales and callbacks. */
export function summarize(s: InspectedSandbox): SupplierSummary {
  const orders = s.orderLedger();
  const afterSales = s.afterSales();
  const callbacks = s.callbacks.records();
  const count = <T>(list: T[], test: (x: T) => boolean) => list.reduce((n, x) => n + (test(x) ? 1 : 0), 0);
  return {
    id: s.id,
    kind: s.kind,
    orders: {
      total: orders.length,
      live: count(orders, (o) => o.live),
      shipped: count(orders, (o) => o.shipped),
      delivered: count(orders, (o) => o.delivered),
      issued: count(orders, (o) => o.issued),
      cancelled: count(orders, (o) => o.cancelled),
    },
    afterSales: { total: afterSales.length, open: count(afterSales, (a) => a.open) },
    callbacks: {
      recorded: callbacks.length,
      sending: count(callbacks, (c) => c.outcome === 'sending'),
      accepted: count(callbacks, (c) => c.outcome === 'accepted'),
      'gave-up': count(callbacks, (c) => c.outcome === 'gave-up'),
      dropped: count(callbacks, (c) => c.outcome === 'dropped'),
    },
    faultsInjected: { ...s.faults.injected },
    faultsInForce: faultsInForce(s.faults.config),
    links: supplierLinks(s),
  };
}

/** The sandbox clock as the inspection routes show it, with what advancing it does and does not move. */
export function clockView(clock: SandboxClock | undefined) {
  if (!clock) return null;
  return {
    now: clock.now().toISOString(),
    aheadOfWallClockMs: clock.aheadMs,
    read: 'GET /clock',
    advance: 'POST /clock/advance {"ms": 86400000}',
    moves: 'supplier business time: order lifecycles (shipping, transit, delivery, split parcels), top-up results, after-sale steps, catalog revisions, the times suppliers report',
    doesNotMove: 'transport time: request timestamps are checked, tokens expire, rate limits count and callbacks are signed on the wall clock, as real suppliers and the hub do',
  };
}

/** `GET /sandbox`: every supplier with its counts and links, the clock, and where the page is. */
export function sandboxIndex(sandboxes: readonly InspectedSandbox[], clock: SandboxClock | undefined) {
  return {
    sandbox: 'redemption-hub supplier sandbox',
    ui: '/sandbox/ui',
    clock: clockView(clock),
    suppliers: sandboxes.map(summarize),
  };
}
