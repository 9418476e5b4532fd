import type { AxiosInstance } from 'axios';
import type { z } from 'zod';
import { SupplierError } from '../errors.ts';
import { commonHttpError, createHttp, parseJson, send } from '../shared/http.ts';
import { isJsonObject } from '../shared/sorted-params.ts';
import { formatUtc8Timestamp } from '../shared/timestamp.ts';
import { responseKeys } from './methods.ts';
import { signTaobao } from './sign.ts';
import { INVALID_SESSION, topError } from './top-errors.ts';
import { ErrorResponse, TokenResult } from './wire.ts';

/** What a Taobao distributor account needs: the app's key and secret, the seller-authorised session and its refresh token. */
export interface TaobaoCredentials {
  appKey: string;
  appSecret: string;
  session: string;
  refreshToken: string;
}

/** Settings of one TOP client. */
export interface TaobaoClientOptions {
  supplier: string;
  baseUrl: string;
  timeoutMs: number;
  credentials: TaobaoCredentials;
  now: () => Date;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' };

/**
 * One TOP call per `call`: signs the form, posts it to /router/rest, unwraps the envelope and maps
 * `error_response`. An invalid session (27) is refreshed at /oauth/token and the call made once more;
 * retries of anything else belong to the SupplierCaller around it.
 */
export class TaobaoClient {
  readonly #opts: TaobaoClientOptions;
  readonly #http: AxiosInstance;
  #session: string;
  #refreshToken: string;
  #refreshing: Promise<void> | null = null;

  constructor(opts: TaobaoClientOptions) {
    this.#opts = opts;
    this.#http = createHttp({ baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs });
    this.#session = opts.credentials.session;
    this.#refreshToken = opts.credentials.refreshToken;
  }

  /** Calls a TOP method with its business parameters and returns the parsed inner body. */
  async call<S extends z.ZodType>(method: string, business: Record<string, string>, schema: S, opts: { write: boolean }): Promise<z.output<S>> {
    const session = this.#session;
    let body = await this.#post(method, business, session, opts.write);
    if (errorOf(body)?.code === INVALID_SESSION) {
      await this.#refresh(session);
      body = await this.#post(method, business, this.#session, opts.write);
    }
    return this.#unwrap(method, body, schema, opts.write);
  }

  /** The session in use (it changes after a refresh). */
  get session(): string {
    return this.#session;
  }

  async #post(method: string, business: Record<string, string>, session: string, write: boolean): Promise<unknown> {
    const { appKey, appSecret } = this.#opts.credentials;
    const params: Record<string, string> = {
      method,
      app_key: appKey,
      session,
      timestamp: formatUtc8Timestamp(this.#opts.now()),
      format: 'json',
      v: '2.0',
      sign_method: 'hmac-sha256',
      ...business,
    };
    params.sign = signTaobao(params, appSecret);
    const res = await send(this.#opts.supplier, this.#http, { method: 'POST', url: '/router/rest', data: new URLSearchParams(params).toString(), headers: FORM }, { write });
    const httpError = commonHttpError(this.#opts.supplier, res, write);
    if (httpError) throw httpError;
    return parseJson<unknown>(this.#opts.supplier, res);
  }

  #unwrap<S extends z.ZodType>(method: string, body: unknown, schema: S, write: boolean): z.output<S> {
    const supplier = this.#opts.supplier;
    const err = errorOf(body);
    if (err) throw topError(supplier, err, write);
    const inner = isJsonObject(body) ? responseKeys(method).map((k) => body[k]).find((v) => v !== undefined) : undefined;
    if (inner === undefined) throw new SupplierError(supplier, 'invalid_response', `${method}: no ${responseKeys(method)[0]} in the answer`, { retryable: false });
    const parsed = schema.safeParse(inner);
    if (!parsed.success) {
      throw new SupplierError(supplier, 'invalid_response', `${method}: unexpected body (${parsed.error.issues[0]?.message ?? 'invalid'})`, { retryable: false, cause: parsed.error });
    }
    return parsed.data;
  }

  // Concurrent calls that all saw 27 share one refresh; a call whose session was already replaced just retries.
  async #refresh(staleSession: string): Promise<void> {
    if (this.#session !== staleSession) return;
    this.#refreshing ??= this.#fetchSession().finally(() => {
      this.#refreshing = null;
    });
    await this.#refreshing;
  }

  async #fetchSession(): Promise<void> {
    const supplier = this.#opts.supplier;
    const { appKey, appSecret } = this.#opts.credentials;
    const form = new URLSearchParams({ grant_type: 'refresh_token', client_id: appKey, client_secret: appSecret, refresh_token: this.#refreshToken });
    const res = await send(supplier, this.#http, { method: 'POST', url: '/oauth/token', data: form.toString(), headers: FORM }, { write: false });
    const httpError = commonHttpError(supplier, res, false);
    if (httpError) throw httpError;
    const body = parseJson<{ error?: string; error_description?: string }>(supplier, res);
    if (res.status !== 200) {
      throw new SupplierError(supplier, 'auth_failed', `session refresh refused: ${body.error ?? res.status} ${body.error_description ?? ''}`.trim(), { supplierCode: body.error });
    }
    const token = TokenResult.safeParse(body);
    if (!token.success) throw new SupplierError(supplier, 'invalid_response', 'session refresh: no access_token', { retryable: false });
    this.#session = token.data.access_token;
    this.#refreshToken = token.data.refresh_token ?? this.#refreshToken;
  }
}

/** The `error_response` of a body, if it is one. */
function errorOf(body: unknown): ErrorResponse | undefined {
  if (!isJsonObject(body) || !isJsonObject(body.error_response)) return undefined;
  const parsed = ErrorResponse.safeParse(body.error_response);
  return parsed.success ? parsed.data : { code: 15, sub_code: 'isp.unknown-error', sub_msg: 'unreadable error_response' };
}
