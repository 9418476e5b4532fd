import { type SupplierErrorCode, SupplierError } from '../errors.ts';
import { SUB_CODES } from './methods.ts';
import type { ErrorResponse } from './wire.ts';

// TOP answers every failure as `error_response` with HTTP 200. Platform codes:
//
//   7  call limit ─────────────► rate_limited, retry after the ban ("will last for N more seconds")
//   15 + isp.* (or no sub_code) ► unavailable, retried (outcome unknown for writes on isp.*timeout)
//   15 + isv.* ────────────────► business refusal by sub_code (table below), never retried
//   25 invalid signature ──────► bad_signature, never retried (also a timestamp off by > 10 min)
//   27 invalid session ────────► the client refreshes once; still 27 → auth_failed
//   10 service unavailable ────► unavailable;  11/12 permissions, 29 app key → auth_failed
//   anything else (2x/4x: missing or invalid parameters, unknown method) → bad_request

const BUSINESS: Readonly<Record<string, SupplierErrorCode>> = {
  [SUB_CODES.stockNotEnough]: 'stockout',
  [SUB_CODES.itemNotExist]: 'not_sellable',
  [SUB_CODES.itemOffShelf]: 'not_sellable',
  [SUB_CODES.areaNotSupport]: 'unserviceable_region',
  [SUB_CODES.orderNotExist]: 'not_found',
  [SUB_CODES.refundNotExist]: 'not_found',
  [SUB_CODES.orderNotClosable]: 'not_cancellable',
  [SUB_CODES.refundNotAllowed]: 'rejected',
  [SUB_CODES.invalidParameter]: 'bad_request',
};

/** Platform code of an invalid or expired session: the one the client answers by refreshing. */
export const INVALID_SESSION = 27;

/** Reads the ban length from code 7's sub_msg ("This ban will last for 1 more seconds"); a second when it says none. */
function banMs(subMsg: string | undefined): number {
  const stated = /(\d+)\s*more\s*second/i.exec(subMsg ?? '')?.[1];
  return stated === undefined ? 1_000 : Number(stated) * 1000;
}

/** Maps a TOP `error_response` to the one typed error the hub decides on. */
export function topError(supplier: string, err: ErrorResponse, write: boolean): SupplierError {
  const supplierCode = err.sub_code ?? String(err.code);
  const message = `TOP ${err.code} ${err.sub_code ?? ''} ${err.sub_msg ?? err.msg ?? ''}`.replace(/\s+/g, ' ').trim();
  switch (err.code) {
    case 7:
      return new SupplierError(supplier, 'rate_limited', message, { supplierCode, retryAfterMs: banMs(err.sub_msg) });
    case 25:
      return new SupplierError(supplier, 'bad_signature', message, { supplierCode });
    case 11:
    case 12:
    case 29:
    case INVALID_SESSION:
      return new SupplierError(supplier, 'auth_failed', message, { supplierCode });
    case 10:
      return new SupplierError(supplier, 'unavailable', message, { supplierCode });
    case 15: {
      const sub = err.sub_code ?? '';
      if (sub.startsWith('isv.')) return new SupplierError(supplier, BUSINESS[sub] ?? 'rejected', message, { supplierCode });
      // A backend timeout may have committed the write; other isp errors happened before it.
      return new SupplierError(supplier, 'unavailable', message, { supplierCode, outcomeUnknown: write && sub.includes('timeout') });
    }
    default:
      return new SupplierError(supplier, 'bad_request', message, { supplierCode });
  }
}
