/** One HTTP exchange with the hub as the run saw it; `status` null when no answer came (the process was killed, a timeout). */
export interface Answer {
  /** When the request was sent. */
  atMs: number;
  /** When its answer came (a request in flight when an outage began is answered by the outage). */
  doneMs?: number;
  api: string;
  /** The route as a template (`POST /v1/orders/{orderId}/cancel`), so answers can be counted per route. */
  route: string;
  status: number | null;
  code?: string;
  retryAfter?: string;
  error?: string;
}

export interface ApiTarget {
  name: string;
  url: string;
}

export interface CallResult {
  status: number | null;
  json: any;
  /** The API that gave the final answer. */
  api: string;
  /** The status of each try, in order (null: no answer). */
  tries: (number | null)[];
}

const TIMEOUT_MS = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The malls' and the operator's HTTP client: requests go round-robin to the APIs, as through a
 * load balancer, and every answer is recorded (for the 5xx check). Like a mall's client it tries
 * again: on no answer at the next API at once, on 429/5xx after `Retry-After` (at most 3 s) or a
 * second; with the same Idempotency-Key, so a retried order is never a second order.
 */
export class HubClient {
  readonly answers: Answer[] = [];
  readonly #apis: ApiTarget[];
  #next = 0;

  constructor(apis: ApiTarget[]) {
    this.#apis = apis;
  }

  async call(req: { method: string; path: string; route: string; token: string; body?: unknown; headers?: Record<string, string>; tries?: number }): Promise<CallResult> {
    const tries = req.tries ?? 4;
    const statuses: (number | null)[] = [];
    let last: CallResult = { status: null, json: null, api: '', tries: statuses };
    let unreachable: ApiTarget | undefined;
    for (let attempt = 0; attempt < tries; attempt++) {
      // After no answer, the next try goes to another API (a load balancer takes a dead backend out).
      let api = this.#apis[this.#next++ % this.#apis.length] as ApiTarget;
      if (api === unreachable) api = this.#apis.find((a) => a !== unreachable) ?? api;
      const atMs = Date.now();
      try {
        const res = await fetch(`${api.url}${req.path}`, {
          method: req.method,
          headers: { authorization: `Bearer ${req.token}`, ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...req.headers },
          ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        const text = await res.text();
        let json: any = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = { raw: text.slice(0, 200) };
        }
        const retryAfter = res.headers.get('retry-after') ?? undefined;
        this.answers.push({ atMs, doneMs: Date.now(), api: api.name, route: req.route, status: res.status, ...(json?.error?.code ? { code: String(json.error.code) } : {}), ...(retryAfter !== undefined ? { retryAfter } : {}) });
        statuses.push(res.status);
        last = { status: res.status, json, api: api.name, tries: statuses };
        if (res.status !== 429 && res.status < 500) return last;
        const wait = Number(retryAfter);
        await sleep(Number.isFinite(wait) && wait > 0 ? Math.min(wait, 3) * 1000 : 1000);
      } catch (err) {
        const message = err instanceof Error ? `${err.name}: ${(err as { cause?: { code?: string } }).cause?.code ?? err.message}` : String(err);
        this.answers.push({ atMs, api: api.name, route: req.route, status: null, error: message });
        statuses.push(null);
        last = { status: null, json: null, api: api.name, tries: statuses };
        unreachable = api;
        await sleep(200);
      }
    }
    return last;
  }
}
