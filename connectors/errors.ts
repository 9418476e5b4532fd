/**
 * Typed supplier errors. Every connector maps its wire errors (platform codes, HTTP statuses,
 * timeouts) to one of these codes, so workflows decide on `code`, `retryable` and `outcomeUnknown`
 * without knowing the supplier.
 */
export type SupplierErrorCode =
  | 'stockout' // not enough stock (JD 3008, brand out_of_stock, Taobao stock short, top-up 2001 with reason out_of_stock)
  | 'unserviceable_region' // cannot deliver to / sell in the region (JD 3004, brand address_unserviceable)
  | 'not_sellable' // SKU off shelf, delisted, product unavailable (top-up 2001 off_shelf / unknown_product)
  | 'insufficient_balance' // prepaid balance at the provider is too low (top-up 2002)
  | 'rejected' // any other business refusal; do not retry at this source
  | 'not_found' // no such order / sku at the supplier
  | 'not_cancellable' // already confirmed, shipped or issued
  | 'bad_request' // our request was malformed (a bug): never retry
  | 'bad_signature' // signature rejected (ours or theirs): never retry
  | 'auth_failed' // credentials refused even after a token refresh
  | 'rate_limited' // call limit; retry after `retryAfterMs`
  | 'unavailable' // 5xx, "system busy", connection refused: retry with backoff
  | 'timeout' // no answer in time: the outcome of a write is unknown
  | 'circuit_open' // the hub stopped calling this supplier for a while
  | 'invalid_response'; // an answer we cannot parse

const RETRYABLE: ReadonlySet<SupplierErrorCode> = new Set(['rate_limited', 'unavailable', 'timeout', 'circuit_open', 'invalid_response']);

/** An error from a supplier call; `outcomeUnknown` means a write may have happened: look it up before retrying. */
export class SupplierError extends Error {
  readonly code: SupplierErrorCode;
  readonly supplier: string;
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs: number | undefined;
  /** The supplier's own code (e.g. JD "3008", Taobao "isv.item-not-exist"), for logs and support. */
  readonly supplierCode: string | undefined;

  constructor(
    supplier: string,
    code: SupplierErrorCode,
    message: string,
    opts: { retryable?: boolean; outcomeUnknown?: boolean; retryAfterMs?: number; supplierCode?: string; cause?: unknown } = {},
  ) {
    super(`${supplier}: ${message}`, { cause: opts.cause });
    this.name = 'SupplierError';
    this.supplier = supplier;
    this.code = code;
    this.retryable = opts.retryable ?? RETRYABLE.has(code);
    this.outcomeUnknown = opts.outcomeUnknown ?? false;
    this.retryAfterMs = opts.retryAfterMs;
    this.supplierCode = opts.supplierCode;
  }
}

/** True for a SupplierError with one of the given codes. */
export function isSupplierError(err: unknown, ...codes: SupplierErrorCode[]): err is SupplierError {
  return err instanceof SupplierError && (codes.length === 0 || codes.includes(err.code));
}
