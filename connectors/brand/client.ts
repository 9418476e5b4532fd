import type { AxiosInstance, AxiosResponse } from 'axios';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { SupplierError } from '../errors.ts';
import { createHttp, parseJson, send } from '../shared/http.ts';
import { brandHttpError, type CallPurpose } from './errors-map.ts';

/** What a brand account needs: the API key it sends as a bearer token and the secret its webhooks are signed with. */
export interface BrandCredentials {
  apiKey: string;
  webhookSecret: string;
}

/** Settings of one brand REST client. */
export interface BrandClientOptions {
  supplier: string;
  baseUrl: string;
  timeoutMs: number;
  /** The bulk feed streams for a while; an idle socket longer than this aborts it. */
  feedTimeoutMs: number;
  apiKey: string;
}

/** One request: GET with a query, or POST with a JSON body and its Idempotency-Key. */
export type BrandRequest =
  | { method: 'GET'; path: string; query?: Record<string, string | undefined>; purpose?: CallPurpose }
  | { method: 'POST'; path: string; body: unknown; idempotencyKey: string; purpose: Exclude<CallPurpose, 'read'> };

/**
 * One HTTP exchange per `request`: bearer auth, JSON, the Idempotency-Key on every POST, and the
 * mapping of error answers. Retries belong to the SupplierCaller around it; because the key is
 * derived from the hub's reference, a retried POST gets the brand's first answer back.
 */
export class BrandClient {
  readonly #opts: BrandClientOptions;
  readonly #http: AxiosInstance;

  constructor(opts: BrandClientOptions) {
    this.#opts = opts;
    this.#http = createHttp({ baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs });
  }

  /** Sends the request and returns the body checked against `schema`. */
  async request<S extends z.ZodType>(req: BrandRequest, schema: S): Promise<z.output<S>> {
    const write = req.method === 'POST';
    const headers: Record<string, string> = { authorization: `Bearer ${this.#opts.apiKey}`, accept: 'application/json' };
    if (req.method === 'POST') {
      headers['content-type'] = 'application/json';
      headers['idempotency-key'] = req.idempotencyKey;
    }
    const res = await send(
      this.#opts.supplier,
      this.#http,
      req.method === 'POST'
        ? { method: 'POST', url: req.path, data: JSON.stringify(req.body), headers }
        : { method: 'GET', url: req.path, params: definedOnly(req.query), headers },
      { write },
    );
    if (res.status < 200 || res.status > 299) throw brandHttpError(this.#opts.supplier, res, req.purpose ?? 'read');
    return this.#check(res, schema, write);
  }

  /** Opens the gzip bulk feed and returns the raw (still compressed) byte stream. */
  async openFeed(path: string): Promise<Readable> {
    const res = (await send(
      this.#opts.supplier,
      this.#http,
      { method: 'GET', url: path, responseType: 'stream', timeout: this.#opts.feedTimeoutMs, headers: { authorization: `Bearer ${this.#opts.apiKey}` } },
      { write: false },
    )) as unknown as AxiosResponse<Readable>;
    if (res.status === 200) return res.data;
    const text = await readAll(res.data);
    throw brandHttpError(this.#opts.supplier, { ...res, data: text } as AxiosResponse<string>, 'read');
  }

  #check<S extends z.ZodType>(res: AxiosResponse<string>, schema: S, write: boolean): z.output<S> {
    const parsed = schema.safeParse(parseJson(this.#opts.supplier, res));
    if (!parsed.success) {
      // A write that reached the brand but answered something we cannot read may still have happened.
      throw new SupplierError(this.#opts.supplier, 'invalid_response', `unexpected answer to HTTP ${res.status}: ${parsed.error.message}`, { outcomeUnknown: write });
    }
    return parsed.data;
  }
}

function definedOnly(query: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
