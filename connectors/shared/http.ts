import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, isAxiosError } from 'axios';
import { SupplierError } from '../errors.ts';

/** HTTP settings of one supplier account. */
export interface HttpOptions {
  baseUrl: string;
  /** Per request; a write that times out has an unknown outcome. */
  timeoutMs: number;
}

/** An axios instance that never throws on HTTP status (connectors map statuses themselves). */
export function createHttp(opts: HttpOptions): AxiosInstance {
  return axios.create({
    baseURL: opts.baseUrl,
    timeout: opts.timeoutMs,
    validateStatus: () => true,
    // Connectors parse bodies themselves so a malformed answer becomes invalid_response, not a crash.
    transformResponse: [(data: unknown) => data],
    responseType: 'text',
  });
}

/**
 * Sends one request and converts transport failures into typed errors: a timeout or a dropped
 * connection after sending is `timeout` with `outcomeUnknown` for writes; a refused connection is
 * `unavailable` (nothing reached the supplier).
 */
export async function send(supplier: string, http: AxiosInstance, config: AxiosRequestConfig, opts: { write: boolean }): Promise<AxiosResponse<string>> {
  try {
    return await http.request<string>(config);
  } catch (err) {
    if (isAxiosError(err)) {
      const code = err.code ?? '';
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
        throw new SupplierError(supplier, 'unavailable', `cannot connect (${code})`, { cause: err });
      }
      if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'ERR_CANCELED' || code === 'EPIPE') {
        throw new SupplierError(supplier, 'timeout', `no answer (${code})`, { outcomeUnknown: opts.write, cause: err });
      }
    }
    throw new SupplierError(supplier, 'unavailable', `request failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Parses a JSON body or throws `invalid_response`. */
export function parseJson<T>(supplier: string, res: AxiosResponse<string>): T {
  try {
    return JSON.parse(res.data) as T;
  } catch (err) {
    throw new SupplierError(supplier, 'invalid_response', `HTTP ${res.status} with a body that is not JSON`, { cause: err, retryable: res.status >= 500 });
  }
}

/** Maps HTTP statuses every supplier shares: 429 and 5xx. Returns undefined for the rest. */
export function commonHttpError(supplier: string, res: AxiosResponse<string>, write: boolean): SupplierError | undefined {
  if (res.status === 429) {
    const after = Number(res.headers['retry-after']);
    return new SupplierError(supplier, 'rate_limited', 'HTTP 429', { retryAfterMs: Number.isFinite(after) ? after * 1000 : 1_000 });
  }
  if (res.status === 502 || res.status === 503 || res.status === 504) return new SupplierError(supplier, 'unavailable', `HTTP ${res.status}`);
  // A 500 on a write may have happened after the write: the caller must look it up.
  if (res.status >= 500) return new SupplierError(supplier, 'unavailable', `HTTP ${res.status}`, { outcomeUnknown: write });
  return undefined;
}
