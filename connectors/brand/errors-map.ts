import type { AxiosResponse } from 'axios';
import { SupplierError } from '../errors.ts';
import { commonHttpError } from '../shared/http.ts';
import { ErrorBody } from './wire.ts';

/** What the failed call was, where one status means different things (409 on cancel). */
export type CallPurpose = 'read' | 'create' | 'cancel' | 'return';

function errorOf(text: string): ErrorBody['error'] | undefined {
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Maps a non-2xx brand answer to the one SupplierError it means:
 *
 *   401/403 ──────────────────────────► auth_failed (never retried: a bearer key does not heal)
 *   429 / 5xx ────────────────────────► rate_limited (Retry-After) / unavailable (shared rules)
 *   400 ──────────────────────────────► bad_request (our bug)
 *   404 ──────────────────────────────► not_found
 *   409 on cancel ────────────────────► not_cancellable; elsewhere rejected
 *   422 out_of_stock ─────────────────► stockout
 *   422 address_unserviceable ────────► unserviceable_region
 *   422 product_unavailable ──────────► not_sellable
 *   any other 4xx ────────────────────► rejected
 */
export function brandHttpError(supplier: string, res: AxiosResponse<string>, purpose: CallPurpose): SupplierError {
  const write = purpose !== 'read';
  const common = commonHttpError(supplier, res, write);
  const err = errorOf(res.data);
  const supplierCode = err?.type ?? `http_${res.status}`;
  const message = `HTTP ${res.status} ${supplierCode}${err?.message ? `: ${err.message}` : ''}`;
  if (common) return new SupplierError(supplier, common.code, message, { outcomeUnknown: common.outcomeUnknown, retryAfterMs: common.retryAfterMs, supplierCode });
  const fail = (code: ConstructorParameters<typeof SupplierError>[1]) => new SupplierError(supplier, code, message, { supplierCode });
  switch (res.status) {
    case 401:
    case 403:
      return fail('auth_failed');
    case 400:
      return fail('bad_request');
    case 404:
      return fail('not_found');
    case 409:
      return fail(purpose === 'cancel' ? 'not_cancellable' : 'rejected');
    case 422:
      if (err?.type === 'out_of_stock') return fail('stockout');
      if (err?.type === 'address_unserviceable') return fail('unserviceable_region');
      if (err?.type === 'product_unavailable') return fail('not_sellable');
      return fail('rejected');
    default:
      return fail(res.status >= 500 ? 'unavailable' : 'rejected');
  }
}
