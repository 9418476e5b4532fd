import { z } from 'zod';
import { seededRandom } from './rng.ts';

/** What the carrier does to a parcel (the parcelTrouble fault): `none` delivers it. */
export const ParcelTrouble = z.enum(['none', 'exception', 'returned_to_sender', 'lost']);
export type ParcelTrouble = z.infer<typeof ParcelTrouble>;

/** Faults a sandbox injects; set at runtime with `PUT /sandbox/faults` or by seed in tests. */
export const FaultConfig = z.object({
  seed: z.number().int().default(1),
  /** Added to every answer. */
  latencyMs: z.number().int().min(0).default(0),
  /** Share of calls answered with HTTP 5xx (or the platform's "system busy" code). */
  errorRate: z.number().min(0).max(1).default(0),
  /** Methods (JD's and Taobao's API method names) answered "system busy" every time: one endpoint down while the rest work. */
  downMethods: z.array(z.string()).default([]),
  /** Answer the next N calls with 5xx, then behave (deterministic, for retry tests). */
  failNext: z.number().int().min(0).default(0),
  /** Share of calls that never answer (the client times out). */
  hangRate: z.number().min(0).max(1).default(0),
  /** Process the write, then never answer: the caller cannot know it happened. */
  unknownOutcomeRate: z.number().min(0).max(1).default(0),
  /** The next N writes succeed but their answer is lost. */
  unknownOutcomeNext: z.number().int().min(0).default(0),
  /** Calls per second before the platform's rate-limit answer; 0 = unlimited. */
  rateLimitPerSec: z.number().int().min(0).default(0),
  /** SKUs with no stock anywhere, and province codes/names with no stock for any SKU. */
  stockoutSkus: z.array(z.string()).default([]),
  stockoutRegions: z.array(z.string()).default([]),
  /** SKUs shown in stock when asked, but sold out by the time they are ordered: the order answers stock short. */
  soldOutAtOrderSkus: z.array(z.string()).default([]),
  /** Access tokens/sessions are treated as expired until refreshed. */
  expireTokens: z.boolean().default(false),
  // After-sale faults (JD, Taobao, brands; top-up providers take no after-sales). The first three
  // are decided when an after-sale is applied for, so switching them off later does not change the
  // fate of one already under way; lostAfterSaleCallbacks acts when a status change would be sent.
  /** After-sales applied while set are refused at review, with a reason (JD step 30, TOP refund 6, brand `rejected`). */
  afterSaleRefusal: z.boolean().default(false),
  /** After-sales applied while set are approved for less than asked: one unit fewer, or half the money of a single unit. */
  afterSalePartialRefund: z.boolean().default(false),
  /** Returns and exchanges applied while set are approved, but their goods never arrive: they stay approved. */
  returnNeverReceived: z.boolean().default(false),
  /** After-sale status changes are not pushed (Taobao, brands) nor put in JD's message pool: only getAfterSale shows them. */
  lostAfterSaleCallbacks: z.boolean().default(false),
  /**
   * What the carrier does to parcels shipped while set (JD, Taobao, brands): after in transit, a
   * carrier exception, a return to the sender, or nothing more at all (lost); never delivered.
   * Decided as each parcel ships, so switching it off later does not save one already under way.
   */
  parcelTrouble: ParcelTrouble.default('none'),
  callbacks: z
    .object({
      duplicateRate: z.number().min(0).max(1).default(0),
      /** Hold callbacks and send each batch in reverse order. */
      reorder: z.boolean().default(false),
      delayMs: z.number().int().min(0).default(0),
      dropRate: z.number().min(0).max(1).default(0),
    })
    .default({ duplicateRate: 0, reorder: false, delayMs: 0, dropRate: 0 }),
});
export type FaultConfig = z.infer<typeof FaultConfig>;

/** How often each fault actually fired since the sandbox started (`GET /sandbox/faults/injected`). */
export interface InjectedCounts {
  errors: number;
  hangs: number;
  lostAnswers: number;
  rateLimited: number;
  callbacksDropped: number;
  callbacksDuplicated: number;
  /** After-sales refused at review (afterSaleRefusal). */
  afterSalesRefused: number;
  /** After-sales approved for less than asked (afterSalePartialRefund). */
  afterSalesPartlyRefunded: number;
  /** Returns whose goods were due back and never arrived (returnNeverReceived). */
  returnsNeverReceived: number;
  /** After-sale status changes kept from the hub (lostAfterSaleCallbacks). */
  afterSaleCallbacksLost: number;
  /** Parcels that met a carrier exception, went back to the sender, or were lost, counted when delivery was due (parcelTrouble). */
  parcelsInTrouble: number;
}

/** What an after-sale meets at its supplier, decided when it is applied for (see the after-sale faults). */
export interface AfterSaleFate {
  refuse: boolean;
  partial: boolean;
  neverReceived: boolean;
}

/** The current faults of one sandbox and the seeded dice they are rolled with. */
export class Faults {
  /** Counted where each decision is taken, so a test run can show every fault it set did happen. */
  readonly injected: InjectedCounts = {
    errors: 0, hangs: 0, lostAnswers: 0, rateLimited: 0, callbacksDropped: 0, callbacksDuplicated: 0,
    afterSalesRefused: 0, afterSalesPartlyRefunded: 0, returnsNeverReceived: 0, afterSaleCallbacksLost: 0,
    parcelsInTrouble: 0,
  };
  #config: FaultConfig = FaultConfig.parse({});
  #random: () => number = seededRandom(1);
  #windowStart = 0;
  #windowCount = 0;

  get config(): FaultConfig {
    return this.#config;
  }

  set(input: unknown): FaultConfig {
    this.#config = FaultConfig.parse(input);
    this.#random = seededRandom(this.#config.seed);
    return this.#config;
  }

  reset(): void {
    this.set({});
  }

  /** True with probability `p`. */
  roll(p: number): boolean {
    return p > 0 && this.#random() < p;
  }

  /** Whether this call (of `method`, where the platform names one) should fail with a 5xx (consumes `failNext`). */
  shouldError(method?: string): boolean {
    if (method !== undefined && this.#config.downMethods.includes(method)) {
      this.injected.errors++;
      return true;
    }
    if (this.#config.failNext > 0) {
      this.#config.failNext--;
      this.injected.errors++;
      return true;
    }
    return this.#counted('errors', this.roll(this.#config.errorRate));
  }

  /** Whether this call should never be answered (`hangRate`). */
  shouldHang(): boolean {
    return this.#counted('hangs', this.roll(this.#config.hangRate));
  }

  /** Whether this write's answer should be lost (consumes `unknownOutcomeNext`). */
  shouldLoseAnswer(): boolean {
    if (this.#config.unknownOutcomeNext > 0) {
      this.#config.unknownOutcomeNext--;
      this.injected.lostAnswers++;
      return true;
    }
    return this.#counted('lostAnswers', this.roll(this.#config.unknownOutcomeRate));
  }

  /** Whether a callback about to be sent is dropped (`callbacks.dropRate`). */
  dropCallback(): boolean {
    return this.#counted('callbacksDropped', this.roll(this.#config.callbacks.dropRate));
  }

  /** Whether a callback is sent twice (`callbacks.duplicateRate`). */
  duplicateCallback(): boolean {
    return this.#counted('callbacksDuplicated', this.roll(this.#config.callbacks.duplicateRate));
  }

  /** The fate of an after-sale applied for now. A refused one is neither partly refunded nor left unreceived. */
  afterSaleFate(): AfterSaleFate {
    const c = this.#config;
    return { refuse: c.afterSaleRefusal, partial: !c.afterSaleRefusal && c.afterSalePartialRefund, neverReceived: !c.afterSaleRefusal && c.returnNeverReceived };
  }

  /** Counts an after-sale fault when its effect shows (refused at review, approved for less, goods not arrived when due). */
  afterSaleFaultShown(fault: 'afterSalesRefused' | 'afterSalesPartlyRefunded' | 'returnsNeverReceived'): void {
    this.injected[fault]++;
  }

  /** Whether an after-sale status change is kept from the hub: not pushed, not put in the pool (`lostAfterSaleCallbacks`). */
  loseAfterSaleCallback(): boolean {
    return this.#counted('afterSaleCallbacksLost', this.#config.lostAfterSaleCallbacks);
  }

  /** What the carrier will do to a parcel shipping now (`parcelTrouble`); kept with the parcel. */
  parcelFate(): ParcelTrouble {
    return this.#config.parcelTrouble;
  }

  /** Counts a parcel in trouble when its delivery was due: the exception or return scanned instead, or nothing (lost). */
  parcelTroubleShown(): void {
    this.injected.parcelsInTrouble++;
  }

  #counted(fault: keyof InjectedCounts, fired: boolean): boolean {
    if (fired) this.injected[fault]++;
    return fired;
  }

  /** Whether this call exceeds the rate limit, counted per wall-clock second. */
  rateLimited(nowMs: number): boolean {
    const limit = this.#config.rateLimitPerSec;
    if (!limit) return false;
    if (nowMs - this.#windowStart >= 1000) {
      this.#windowStart = nowMs;
      this.#windowCount = 0;
    }
    return this.#counted('rateLimited', ++this.#windowCount > limit);
  }

  /** Sold between the caller's stock check and its order (see soldOutAtOrderSkus). */
  isSoldOutAtOrder(sku: string): boolean {
    return this.#config.soldOutAtOrderSkus.includes(sku);
  }

  isStockout(sku: string, region?: string): boolean {
    return this.#config.stockoutSkus.includes(sku) || (region !== undefined && this.#config.stockoutRegions.includes(region));
  }
}

/** Never settles: the HTTP answer is withheld so the client times out. */
export const hang = (): Promise<never> => new Promise<never>(() => undefined);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
