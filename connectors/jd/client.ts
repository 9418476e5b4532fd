import type { AxiosInstance } from 'axios';
import { SupplierError } from '../errors.ts';
import { commonHttpError, createHttp, parseJson, send } from '../shared/http.ts';
import { formatUtc8Timestamp } from '../shared/timestamp.ts';
import { JD_PLATFORM as P, JD_RESULT as R, responseKey } from './methods.ts';
import { signJd } from './sign.ts';

/** A JD VOP account: OAuth client for the token, app key and secret for signing. */
export interface JdCredentials {
  clientId: string;
  clientSecret: string;
  appKey: string;
  appSecret: string;
}

/** A business answer: `success` false carries JD's resultCode. */
export interface JdResult<T> {
  success: boolean;
  resultCode: string;
  resultMessage: string;
  result: T;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' };

/**
 * One JD call per `call`: signs the form with the current access token, posts it to /routerjson and
 * unwraps the envelope. An expired token (1004) is refreshed and the call made once more; platform
 * errors become typed errors; business failures are returned for the caller to interpret.
 */
export class JdClient {
  readonly #supplier: string;
  readonly #http: AxiosInstance;
  readonly #creds: JdCredentials;
  readonly #now: () => Date;
  #token: Promise<{ token: string; expiresAtMs: number }> | null = null;

  constructor(opts: { supplier: string; baseUrl: string; timeoutMs: number; credentials: JdCredentials; now: () => Date }) {
    this.#supplier = opts.supplier;
    this.#http = createHttp({ baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs });
    this.#creds = opts.credentials;
    this.#now = opts.now;
  }

  async call<T>(method: string, business: unknown, opts: { write: boolean }): Promise<JdResult<T>> {
    let token = await this.#accessToken();
    let body = await this.#post(method, business, token, opts.write);
    if (platformCode(body) === P.TOKEN_EXPIRED || platformCode(body) === P.BAD_TOKEN) {
      this.#token = null;
      token = await this.#accessToken();
      body = await this.#post(method, business, token, opts.write);
    }
    const code = platformCode(body);
    if (code !== undefined) throw this.#platformError(code, body);
    const inner = (body as Record<string, { code?: string; result?: JdResult<T> }>)[responseKey(method)]?.result;
    if (!inner || typeof inner.success !== 'boolean') throw new SupplierError(this.#supplier, 'invalid_response', `${method}: no result in the answer`, { retryable: false });
    return inner;
  }

  /** Returns `result` of a successful call or throws the typed error for a business failure. */
  async ok<T>(method: string, business: unknown, opts: { write: boolean }): Promise<T> {
    const r = await this.call<T>(method, business, opts);
    if (!r.success) throw this.businessError(method, r);
    return r.result;
  }

  /** Maps a business failure to a typed error. */
  businessError(method: string, r: JdResult<unknown>): SupplierError {
    const s = this.#supplier;
    const msg = `${method}: ${r.resultCode} ${r.resultMessage}`;
    const opts = { supplierCode: r.resultCode };
    switch (r.resultCode) {
      case R.STOCK_SHORT: return new SupplierError(s, 'stockout', msg, opts);
      case R.NOT_SELLABLE_IN_AREA: return new SupplierError(s, 'unserviceable_region', msg, opts);
      case R.NOT_CANCELLABLE: return new SupplierError(s, 'not_cancellable', msg, opts);
      case R.ORDER_NOT_FOUND: return new SupplierError(s, 'not_found', msg, opts);
      case R.SKU_NOT_FOUND: return new SupplierError(s, 'not_sellable', msg, opts);
      case R.BAD_PARAM: return new SupplierError(s, 'bad_request', msg, opts);
      default: return new SupplierError(s, 'rejected', msg, opts);
    }
  }

  async #post(method: string, business: unknown, token: string, write: boolean): Promise<unknown> {
    const params: Record<string, string> = {
      method,
      app_key: this.#creds.appKey,
      access_token: token,
      timestamp: formatUtc8Timestamp(this.#now()),
      v: '2.0',
      '360buy_param_json': JSON.stringify(business),
    };
    params.sign = signJd(params, this.#creds.appSecret);
    const res = await send(this.#supplier, this.#http, { method: 'POST', url: '/routerjson', data: new URLSearchParams(params).toString(), headers: FORM }, { write });
    // JD answers platform errors as JSON (even with a 5xx); anything else is a transport failure.
    const body = safeJson(res.data);
    if (platformCode(body) !== undefined) return body;
    const httpError = commonHttpError(this.#supplier, res, write);
    if (httpError) throw httpError;
    return parseJson<unknown>(this.#supplier, res);
  }

  #platformError(code: string, body: unknown): SupplierError {
    const s = this.#supplier;
    const desc = (body as { error_response?: { en_desc?: string } }).error_response?.en_desc ?? '';
    const msg = `platform error ${code} ${desc}`.trim();
    switch (code) {
      case P.BAD_SIGN: return new SupplierError(s, 'bad_signature', msg, { supplierCode: code });
      case P.TOKEN_EXPIRED:
      case P.BAD_TOKEN: return new SupplierError(s, 'auth_failed', msg, { supplierCode: code });
      case P.RATE_LIMITED: return new SupplierError(s, 'rate_limited', msg, { supplierCode: code, retryAfterMs: 1_000 });
      // "System busy" is answered before anything is done, so even a write may be retried.
      case P.SYSTEM_BUSY: return new SupplierError(s, 'unavailable', msg, { supplierCode: code });
      default: return new SupplierError(s, 'bad_request', msg, { supplierCode: code });
    }
  }

  // Concurrent calls share one token request; a token within a minute of `expires_in` is renewed
  // before use, so the 1004 refresh is the exception (clock skew, revoked tokens), not the rule.
  async #accessToken(): Promise<string> {
    const current = this.#token;
    if (current) {
      const t = await current.catch(() => null);
      if (t && t.expiresAtMs - 60_000 > this.#now().getTime()) return t.token;
      if (this.#token === current) this.#token = null;
    }
    this.#token ??= this.#fetchToken().catch((err: unknown) => {
      this.#token = null;
      throw err;
    });
    return (await this.#token).token;
  }

  async #fetchToken(): Promise<{ token: string; expiresAtMs: number }> {
    const s = this.#supplier;
    const form = new URLSearchParams({ client_id: this.#creds.clientId, client_secret: this.#creds.clientSecret, grant_type: 'client_credentials' });
    const res = await send(s, this.#http, { method: 'POST', url: '/oauth2/accessToken', data: form.toString(), headers: FORM }, { write: false });
    const httpError = commonHttpError(s, res, false);
    if (httpError) throw httpError;
    if (res.status !== 200) throw new SupplierError(s, 'auth_failed', `token refused: HTTP ${res.status}`);
    const body = parseJson<{ access_token?: string; expires_in?: number }>(s, res);
    if (!body.access_token) throw new SupplierError(s, 'invalid_response', 'token answer without access_token', { retryable: false });
    const ttlS = Number(body.expires_in);
    return { token: body.access_token, expiresAtMs: this.#now().getTime() + (Number.isFinite(ttlS) && ttlS > 0 ? ttlS * 1000 : 3600_000) };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function platformCode(body: unknown): string | undefined {
  const e = (body as { error_response?: { code?: unknown } } | undefined)?.error_response;
  return e?.code === undefined ? undefined : String(e.code);
}
