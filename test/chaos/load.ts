import { seededRandom } from '../../connectors/sandbox/common/rng.ts';
import type { HubClient } from './hub-client.ts';
import { say, sleep } from './progress.ts';
import { type Mall, type Sku, SKU_GROUPS, type SkuGroup } from './setup.ts';

/**
 * How an order is sent: once; again after its answer with the same key and body (a mall that did
 * not hear back); three times at once with the same key and body (a double click); then the same
 * key with another body (must be refused), or another key with the same mallOrderId (too).
 */
export type Variant = 'plain' | 'repeat' | 'race' | 'conflict' | 'dup-mall-order';

export interface Reply {
  status: number | null;
  orderId?: string;
  code?: string;
}

/** Everything the malls sent under one Idempotency-Key, and what came back. */
export interface SentOrder {
  mall: Mall['name'];
  mallId: string;
  key: string;
  mallOrderId: string;
  variant: Variant;
  groups: SkuGroup[];
  lineCount: number;
  /** Answers to this key with its one body (the first send, repeats and racers). */
  sameBody: (Reply & { raced: boolean })[];
  /** Answers to this key with a changed body (variant conflict). */
  otherBody: Reply[];
  /** Answers to a new key carrying this order's mallOrderId (variant dup-mall-order). */
  dupMallOrder: Reply[];
  /** The order the hub accepted under the key (the first 200/201). */
  orderId?: string;
  cancels: { status: number | null; tries: (number | null)[]; atMs: number; lines: { lineId: string; result: string; reason?: string }[] }[];
}

/** Mall B asking for mall A's order (and the other way round): a 2xx with the order (or a list holding it) is a leak. */
export interface CrossMallProbe {
  reader: Mall['name'];
  owner: Mall['name'];
  route: string;
  status: number | null;
  leaked: boolean;
}

export interface LoadStats {
  ordersSent: number;
  requests: number;
  accepted: number;
  refused: Record<string, number>;
  unanswered: number;
  cancelsSent: number;
  /** Per cancelled line: `cancelled`, or `not_cancellable: <reason>`; a cancel with no 200 counts under its status. */
  cancelResults: Record<string, number>;
  catalogReads: { sent: number; ok: number };
  orderReads: { sent: number; ok: number };
}

const PROVINCES = [
  { weight: 90, recipient: { province: '北京', city: '北京市', district: '朝阳区', address: '建国路 88 号' } },
  // Far west: heavy goods do not go there (JD refuses them): reroutes and failures.
  { weight: 5, recipient: { province: '西藏', city: '拉萨市', district: '城关区', address: '北京中路 1 号' } },
  // Named in the suppliers' stockoutRegions fault: nobody has stock there while faults are on.
  { weight: 5, recipient: { province: '青海', city: '西宁市', district: '城西区', address: '五四大街 2 号' } },
];

const SHAPES: { weight: number; groups: SkuGroup[] | 'mixed' }[] = [
  { weight: 16, groups: ['jd'] },
  { weight: 13, groups: ['taobao'] },
  { weight: 12, groups: ['brand'] },
  { weight: 8, groups: ['multi-source'] },
  { weight: 8, groups: ['service'] },
  { weight: 12, groups: ['topup'] },
  { weight: 8, groups: ['card'] },
  { weight: 23, groups: 'mixed' },
];

const VARIANTS: { weight: number; v: Variant }[] = [
  { weight: 75, v: 'plain' },
  { weight: 10, v: 'repeat' },
  { weight: 7, v: 'race' },
  { weight: 4, v: 'conflict' },
  { weight: 4, v: 'dup-mall-order' },
];

/** The share of accepted orders the mall then cancels (after 0–3 s, so some cancels meet a submit still being retried). */
const CANCEL_SHARE = 0.15;
const MAX_IN_FLIGHT = 48;

/**
 * Two malls' traffic through the API for `seconds`: about `orders` orders of every kind (single
 * and multi-line; JD, Taobao, brand goods, e-vouchers, top-ups and top-up cards), sent as the
 * variants above, some cancelled, some read back; and meanwhile catalog reads and cross-mall reads.
 * Choices come from `seed`, so a run's traffic can be repeated (its timing cannot).
 */
export class MallLoad {
  readonly sent: SentOrder[] = [];
  readonly probes: CrossMallProbe[] = [];
  readonly stats: LoadStats = { ordersSent: 0, requests: 0, accepted: 0, refused: {}, unanswered: 0, cancelsSent: 0, cancelResults: {}, catalogReads: { sent: 0, ok: 0 }, orderReads: { sent: 0, ok: 0 } };
  readonly #client: HubClient;
  readonly #malls: Mall[];
  readonly #skus: Map<Mall['name'], Map<SkuGroup, Sku[]>>;
  readonly #random: () => number;
  readonly #runTag: string;
  #inFlight = 0;
  #stopped = false;
  readonly #tasks = new Set<Promise<void>>();

  constructor(client: HubClient, malls: Mall[], skus: Map<Mall['name'], Map<SkuGroup, Sku[]>>, seed: number, runTag: string) {
    this.#client = client;
    this.#malls = malls;
    this.#skus = skus;
    this.#random = seededRandom(seed);
    this.#runTag = runTag;
  }

  /** Sends the load; resolves when the last order's follow-ups (repeats, cancels, reads) are done. */
  async run(orders: number, seconds: number): Promise<void> {
    const started = Date.now();
    const background = [this.#catalogReads(), this.#crossMallReads()];
    for (let i = 0; i < orders; i++) {
      const dueAt = started + (i * seconds * 1000) / orders;
      if (dueAt > Date.now()) await sleep(dueAt - Date.now());
      while (this.#inFlight >= MAX_IN_FLIGHT) await sleep(20);
      this.#track(this.#oneOrder(i));
    }
    this.#stopped = true;
    await Promise.all([...this.#tasks]);
    await Promise.all(background);
  }

  #track(p: Promise<void>): void {
    this.#inFlight++;
    const t = p.catch((err: unknown) => say('load', `an order task failed in the harness: ${String(err)}`)).finally(() => {
      this.#inFlight--;
      this.#tasks.delete(t);
    });
    this.#tasks.add(t);
  }

  #pick<T extends { weight: number }>(list: readonly T[]): T {
    let r = this.#random() * list.reduce((n, x) => n + x.weight, 0);
    for (const x of list) {
      r -= x.weight;
      if (r < 0) return x;
    }
    return list[list.length - 1] as T;
  }

  #any<T>(list: readonly T[]): T | undefined {
    return list.length ? list[Math.floor(this.#random() * list.length)] : undefined;
  }

  /** One order's body: lines of the shape's groups (a mixed order: 2–3 lines of groups drawn at random), priced at the mall's prices. */
  #body(mall: Mall, i: number): { body: any; groups: SkuGroup[] } | undefined {
    const groups = this.#skus.get(mall.name);
    if (!groups) return undefined;
    const shape = this.#pick(SHAPES);
    let wanted: SkuGroup[];
    if (shape.groups === 'mixed') {
      const pool = SKU_GROUPS.filter((g) => (groups.get(g)?.length ?? 0) > 0);
      const n = 2 + Math.floor(this.#random() * 2);
      wanted = Array.from({ length: n }, () => this.#any(pool) as SkuGroup);
    } else wanted = shape.groups;
    const lines = [];
    const used = new Set<string>();
    let physical = false;
    for (const g of wanted) {
      const sku = this.#any(groups.get(g) ?? []);
      if (!sku || used.has(sku.skuId)) continue;
      used.add(sku.skuId);
      physical ||= sku.kind === 'physical';
      const quantity = sku.kind === 'physical' && this.#random() < 0.25 ? 2 : 1;
      const line: Record<string, unknown> = { lineId: String(lines.length + 1), skuId: sku.skuId, quantity, pointsPaid: sku.points * quantity, cashPaidFen: sku.cashFen * quantity };
      // A recharge (top-up, data, membership) goes to a mobile number, which every platform takes;
      // voucher codes take no account (intake refuses one, as it refuses a malformed number, so
      // recharges the platform fails come from its own seeded fail rate).
      if (sku.group === 'topup') line.rechargeAccount = `139${String(Math.floor(this.#random() * 1e8)).padStart(8, '0')}`;
      lines.push(line);
    }
    if (lines.length === 0) return undefined;
    const where = this.#pick(PROVINCES);
    return {
      groups: wanted,
      body: {
        mallOrderId: `${this.#runTag}-${mall.name}-${i}`,
        member: { id: `member-${Math.floor(this.#random() * 500)}` },
        ...(physical ? { recipient: { name: '测试会员', phone: `138${String(Math.floor(this.#random() * 1e8)).padStart(8, '0')}`, ...where.recipient } } : {}),
        lines,
      },
    };
  }

  async #send(mall: Mall, key: string, body: unknown): Promise<Reply> {
    this.stats.requests++;
    const r = await this.#client.call({ method: 'POST', path: '/v1/orders', route: 'POST /v1/orders', token: mall.apiKey, body, headers: { 'idempotency-key': key } });
    if (r.status === null) this.stats.unanswered++;
    return { status: r.status, ...(r.json?.orderId ? { orderId: String(r.json.orderId) } : {}), ...(r.json?.error?.code ? { code: String(r.json.error.code) } : {}) };
  }

  async #oneOrder(i: number): Promise<void> {
    const mall = this.#malls[this.#random() < 0.5 ? 0 : 1] as Mall;
    const built = this.#body(mall, i);
    if (!built) return;
    const { body, groups } = built;
    const variant = this.#pick(VARIANTS).v;
    const key = `${this.#runTag}-k${i}`;
    const o: SentOrder = { mall: mall.name, mallId: mall.mallId, key, mallOrderId: body.mallOrderId, variant, groups, lineCount: body.lines.length, sameBody: [], otherBody: [], dupMallOrder: [], cancels: [] };
    this.sent.push(o);
    this.stats.ordersSent++;
    if (variant === 'race') {
      const replies = await Promise.all([0, 1, 2].map(() => this.#send(mall, key, body)));
      o.sameBody.push(...replies.map((r) => ({ ...r, raced: true })));
    } else {
      o.sameBody.push({ ...(await this.#send(mall, key, body)), raced: false });
    }
    if (variant === 'repeat') o.sameBody.push({ ...(await this.#send(mall, key, body)), raced: false });
    if (variant === 'conflict') o.otherBody.push(await this.#send(mall, key, { ...body, member: { id: 'someone-else' } }));
    if (variant === 'dup-mall-order') o.dupMallOrder.push(await this.#send(mall, `${key}-dup`, body));
    const accepted = o.sameBody.find((r) => r.status === 200 || r.status === 201);
    for (const r of o.sameBody) if (r.status !== null && r.status >= 400) this.stats.refused[r.code ?? String(r.status)] = (this.stats.refused[r.code ?? String(r.status)] ?? 0) + 1;
    if (!accepted?.orderId) return;
    o.orderId = accepted.orderId;
    this.stats.accepted++;
    if (this.#random() < CANCEL_SHARE) {
      await sleep(this.#random() * 3000);
      await this.#cancel(mall, o);
      if (this.#random() < 0.2) await this.#cancel(mall, o);
    }
    if (this.#random() < 0.25) {
      await sleep(500 + this.#random() * 3000);
      this.stats.orderReads.sent++;
      const useMallOrderId = this.#random() < 0.3;
      const r = await this.#client.call({
        method: 'GET', token: mall.apiKey,
        path: useMallOrderId ? `/v1/orders?mallOrderId=${encodeURIComponent(o.mallOrderId)}` : `/v1/orders/${o.orderId}`,
        route: useMallOrderId ? 'GET /v1/orders?mallOrderId' : 'GET /v1/orders/{orderId}',
      });
      if (r.status === 200) this.stats.orderReads.ok++;
    }
  }

  async #cancel(mall: Mall, o: SentOrder): Promise<void> {
    this.stats.cancelsSent++;
    const atMs = Date.now();
    const r = await this.#client.call({ method: 'POST', path: `/v1/orders/${o.orderId}/cancel`, route: 'POST /v1/orders/{orderId}/cancel', token: mall.apiKey, body: { reason: 'member changed their mind (chaos run)' } });
    const lines: SentOrder['cancels'][number]['lines'] = Array.isArray(r.json?.lines) ? r.json.lines : [];
    o.cancels.push({ status: r.status, tries: r.tries, atMs, lines });
    const count = (k: string) => (this.stats.cancelResults[k] = (this.stats.cancelResults[k] ?? 0) + 1);
    if (r.status !== 200) count(`answered ${r.status ?? 'nothing'}`);
    for (const l of lines) count(l.result === 'cancelled' ? 'cancelled' : `${l.result}: ${(l.reason ?? '').replace(/\d+/g, 'N')}`);
  }

  /** A mall browsing its catalog: a page of each kind, then one item, about once a second per mall. */
  async #catalogReads(): Promise<void> {
    const kinds = ['physical', 'virtual', 'service'];
    while (!this.#stopped) {
      for (const mall of this.#malls) {
        const kind = this.#any(kinds) as string;
        this.stats.catalogReads.sent++;
        const page = await this.#client.call({ method: 'GET', path: `/v1/catalog/items?kind=${kind}&limit=20`, route: 'GET /v1/catalog/items', token: mall.apiKey });
        if (page.status === 200) this.stats.catalogReads.ok++;
        const item = this.#any((page.json?.items ?? []) as { skuId: string }[]);
        if (item) {
          this.stats.catalogReads.sent++;
          const r = await this.#client.call({ method: 'GET', path: `/v1/catalog/items/${item.skuId}`, route: 'GET /v1/catalog/items/{skuId}', token: mall.apiKey });
          if (r.status === 200) this.stats.catalogReads.ok++;
        }
      }
      await sleep(1000);
    }
  }

  /** Every 2 s, each mall tries to read (and cancel) an order of the other one: every answer must be 404 (or an empty list). */
  async #crossMallReads(): Promise<void> {
    while (!this.#stopped) {
      await sleep(2000);
      for (const reader of this.#malls) {
        const target = this.#any(this.sent.filter((o) => o.orderId && o.mall !== reader.name));
        if (!target?.orderId) continue;
        const probe = async (route: string, method: string, path: string, body?: unknown, leaked?: (r: { status: number | null; json: any }) => boolean) => {
          const r = await this.#client.call({ method, path, route, token: reader.apiKey, ...(body ? { body } : {}) });
          const leak = r.status !== null && (leaked ? leaked(r) : r.status >= 200 && r.status < 300);
          this.probes.push({ reader: reader.name, owner: target.mall, route, status: r.status, leaked: leak });
        };
        await probe('GET /v1/orders/{orderId}', 'GET', `/v1/orders/${target.orderId}`);
        await probe('GET /v1/orders?mallOrderId', 'GET', `/v1/orders?mallOrderId=${encodeURIComponent(target.mallOrderId)}`, undefined, (r) => r.status === 200 && (r.json?.items?.length ?? 0) > 0);
        await probe('GET /v1/orders/{orderId}/lines/{lineId}/vouchers', 'GET', `/v1/orders/${target.orderId}/lines/1/vouchers`);
        // A cancel must not reach another mall's order either (it would cancel it).
        await probe('POST /v1/orders/{orderId}/cancel', 'POST', `/v1/orders/${target.orderId}/cancel`, { reason: 'cross-mall probe' });
      }
    }
  }
}
