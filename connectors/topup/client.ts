import type { AxiosInstance } from 'axios';
import type { z } from 'zod';
import { SupplierError } from '../errors.ts';
import { commonHttpError, createHttp, parseJson, send } from '../shared/http.ts';
import { formatUtc8Timestamp } from '../shared/timestamp.ts';
import { topupError } from './platform-errors.ts';
import { signTopup } from './sign.ts';
import { Envelope, TOPUP_CODES } from './wire.ts';

/** What a top-up platform account needs: the app's key and the secret that signs and encrypts. */
export interface TopupCredentials {
  appKey: string;
  appSecret: string;
}

/** Settings of one top-up client. */
export interface TopupClientOptions {
  supplier: string;
  baseUrl: string;
  timeoutMs: number;
  credentials: TopupCredentials;
  now: () => Date;
}

/** A successful answer; `duplicate` when the platform answered 2003 with an order that already existed. */
export interface TopupResult<T> {
  data: T;
  duplicate: boolean;
}

/**
 * One platform call per `call`: signs `{app_key, method, timestamp, version, biz_content}`, posts
 * it to /api, unwraps the `{code, message, data}` envelope and maps failure codes. There are no
 * tokens to refresh (every request is signed with the secret); retries belong to the SupplierCaller.
 */
export class TopupClient {
  readonly #opts: TopupClientOptions;
  readonly #http: AxiosInstance;

  constructor(opts: TopupClientOptions) {
    this.#opts = opts;
    this.#http = createHttp({ baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs });
  }

  /** Calls a method with its business parameters; `write` marks order creation (a timeout is then an unknown outcome). */
  async call<S extends z.ZodType>(method: string, biz: Record<string, unknown>, schema: S, opts: { write: boolean }): Promise<TopupResult<z.output<S>>> {
    const supplier = this.#opts.supplier;
    const { appKey, appSecret } = this.#opts.credentials;
    const params: Record<string, string> = {
      app_key: appKey,
      method,
      timestamp: formatUtc8Timestamp(this.#opts.now()),
      version: '2.0',
      biz_content: JSON.stringify(biz),
    };
    params.sign = signTopup(params, appSecret);
    const res = await send(supplier, this.#http, { method: 'POST', url: '/api', data: params, headers: { 'content-type': 'application/json' } }, opts);
    const httpError = commonHttpError(supplier, res, opts.write);
    if (httpError) throw httpError;
    if (res.status !== 200) throw new SupplierError(supplier, 'bad_request', `${method}: HTTP ${res.status}`, { supplierCode: String(res.status) });
    const env = Envelope.safeParse(parseJson<unknown>(supplier, res));
    if (!env.success) throw new SupplierError(supplier, 'invalid_response', `${method}: no {code, message, data} envelope`, { retryable: false, cause: env.error });
    const { code } = env.data;
    if (code !== TOPUP_CODES.ok && code !== TOPUP_CODES.duplicateOrder) throw topupError(supplier, env.data);
    const data = schema.safeParse(env.data.data);
    if (!data.success) {
      throw new SupplierError(supplier, 'invalid_response', `${method}: unexpected data (${data.error.issues[0]?.message ?? 'invalid'})`, { retryable: false, cause: data.error });
    }
    return { data: data.data, duplicate: code === TOPUP_CODES.duplicateOrder };
  }
}
