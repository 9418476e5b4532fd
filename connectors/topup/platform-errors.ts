import { SupplierError } from '../errors.ts';
import { isJsonObject } from '../shared/sorted-params.ts';
import { type Envelope, TOPUP_CODES } from './wire.ts';

/**
 * Maps a failed envelope to the one typed error. 2003 (duplicate) is not an error: the client
 * returns the existing order it carries, so it never reaches here.
 *
 *   1000 bad request ─────────► bad_request          (our bug: never retried)
 *   1001 bad sign ────────────► bad_signature        (never retried)
 *   1002 unknown app ─────────► auth_failed
 *   1003 call limit ──────────► rate_limited         (retried after data.retry_after seconds)
 *   2001 + out_of_stock ──────► stockout
 *   2001 otherwise ───────────► not_sellable
 *   2002 ─────────────────────► insufficient_balance
 *   2004 ─────────────────────► not_found
 *   5000 system busy ─────────► unavailable          (retried: nothing was processed)
 *   anything else ────────────► rejected             (unknown refusal: do not retry here)
 */
export function topupError(supplier: string, env: Envelope): SupplierError {
  const opts = { supplierCode: env.code };
  const message = `${env.code} ${env.message}`.trim();
  const data = isJsonObject(env.data) ? env.data : {};
  switch (env.code) {
    case TOPUP_CODES.badRequest:
      return new SupplierError(supplier, 'bad_request', message, opts);
    case TOPUP_CODES.badSign:
      return new SupplierError(supplier, 'bad_signature', message, opts);
    case TOPUP_CODES.unknownApp:
      return new SupplierError(supplier, 'auth_failed', message, opts);
    case TOPUP_CODES.rateLimited: {
      const seconds = typeof data.retry_after === 'number' && data.retry_after > 0 ? data.retry_after : 1;
      return new SupplierError(supplier, 'rate_limited', message, { ...opts, retryAfterMs: seconds * 1000 });
    }
    case TOPUP_CODES.productUnavailable:
      return new SupplierError(supplier, data.reason === 'out_of_stock' ? 'stockout' : 'not_sellable', message, opts);
    case TOPUP_CODES.insufficientBalance:
      return new SupplierError(supplier, 'insufficient_balance', message, opts);
    case TOPUP_CODES.orderNotFound:
      return new SupplierError(supplier, 'not_found', message, opts);
    case TOPUP_CODES.systemBusy:
      return new SupplierError(supplier, 'unavailable', message, opts);
    default:
      return new SupplierError(supplier, 'rejected', message, opts);
  }
}
