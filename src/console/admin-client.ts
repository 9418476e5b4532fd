import type { ApiError } from './api-types.ts';

/*
 * The console's only way to the hub's data: the admin HTTP API, called in-process with the
 * session's credential as any client would call it over the network (auth, roles, validation,
 * audit and error answers all apply). The console holds no store, service or queue of its own;
 * .dependency-cruiser.cjs (`console-through-the-admin-api`) keeps it so.
 */

/** Sends one HTTP request to the hub (in the hub: `app.request`; the path is absolute, `/admin/…`). */
export type HubFetch = (path: string, init: RequestInit) => Response | Promise<Response>;

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ApiError };

type Query = Record<string, string | number | boolean | null | undefined>;

/** `?a=1&b=x` of the values that are set; '' when none is. */
export function queryString(q: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** One signed-in person's calls to the admin API, for one console request. */
export class AdminClient {
  readonly #fetch: HubFetch;
  readonly #credential: string;
  readonly #requestId: string;

  /** `requestId`: the console request's, sent as X-Request-Id so the API's audit entries and logs name it. */
  constructor(fetch: HubFetch, credential: string, requestId: string) {
    this.#fetch = fetch;
    this.#credential = credential;
    this.#requestId = requestId;
  }

  get<T>(path: string, query?: Query): Promise<ApiResult<T>> {
    return this.#call<T>('GET', path + queryString(query));
  }

  /** `requestId`: another X-Request-Id for this call (a staff refund is keyed by it, so a form sent twice refunds once). */
  post<T>(path: string, body?: unknown, opts: { requestId?: string } = {}): Promise<ApiResult<T>> {
    return this.#call<T>('POST', path, body, opts.requestId);
  }

  patch<T>(path: string, body: unknown): Promise<ApiResult<T>> {
    return this.#call<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<ApiResult<T>> {
    return this.#call<T>('DELETE', path);
  }

  async #call<T>(method: string, path: string, body?: unknown, requestId?: string): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#credential}`, 'x-request-id': requestId ?? this.#requestId, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.#fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return readResult<T>(res);
  }
}

/** An API answer as data or as its error (`{ error: { code, message, details } }`). */
export async function readResult<T>(res: Response): Promise<ApiResult<T>> {
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (res.ok) return { ok: true, status: res.status, data: parsed as T };
  const error = (parsed as { error?: ApiError } | null)?.error ?? { code: 'internal_error', message: `HTTP ${res.status}` };
  return { ok: false, status: res.status, error };
}
