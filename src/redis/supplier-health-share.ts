import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { ConnectorHealth, SupplierConnector } from '../../connectors/connector.ts';

/** What one process last published: when, and each of its connectors' health. */
interface Published {
  at: number;
  health: Record<string, ConnectorHealth>;
}

/**
 * Each hub process's supplier health (circuit, calls, failures, latencies: kept in memory by its
 * connectors), shared through Redis so /admin/suppliers shows every process's, not only the one
 * that answers: the API process makes availability checks, the workers place the orders. Each
 * process writes its figures into one hash every `everyMs` (a field per process); a reader takes
 * the other processes' fields written within three periods and drops older ones (a process that
 * stopped). Redis may lose it all: the answer then holds this process's figures alone.
 */
export class SupplierHealthShare {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #connectors: ReadonlyMap<string, SupplierConnector>;
  readonly #everyMs: number;
  readonly #now: () => number;
  readonly #self: string;
  #timer: NodeJS.Timeout | null = null;

  constructor(redis: Redis, prefix: string, connectors: ReadonlyMap<string, SupplierConnector>, opts: { everyMs: number; now: () => number; processKey?: string }) {
    this.#redis = redis;
    this.#key = `${prefix}:supplier-health`;
    this.#connectors = connectors;
    this.#everyMs = opts.everyMs;
    this.#now = opts.now;
    this.#self = opts.processKey ?? `${hostname()}:${process.pid}`;
  }

  /** Publishes now and every `everyMs` after (never keeping the process alive). */
  start(): void {
    if (this.#timer) return;
    void this.publish().catch(() => undefined);
    this.#timer = setInterval(() => void this.publish().catch(() => undefined), this.#everyMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Writes this process's figures (and keeps the hash a while after the last process stops). */
  async publish(): Promise<void> {
    const health: Record<string, ConnectorHealth> = {};
    for (const [id, c] of this.#connectors) health[id] = { ...c.health() };
    const value: Published = { at: this.#now(), health };
    await this.#redis.multi().hset(this.#key, this.#self, JSON.stringify(value)).pexpire(this.#key, this.#everyMs * 10).exec();
  }

  /** The other live processes' figures, by supplier id (empty when Redis does not answer). */
  async others(): Promise<Map<string, ConnectorHealth[]>> {
    const out = new Map<string, ConnectorHealth[]>();
    const fields = await this.#redis.hgetall(this.#key);
    const oldest = this.#now() - this.#everyMs * 3;
    const stale: string[] = [];
    for (const [processKey, raw] of Object.entries(fields)) {
      if (processKey === this.#self) continue;
      let value: Published;
      try {
        value = JSON.parse(raw) as Published;
      } catch {
        stale.push(processKey);
        continue;
      }
      if (!(value.at >= oldest)) {
        stale.push(processKey);
        continue;
      }
      for (const [id, h] of Object.entries(value.health ?? {})) out.set(id, [...(out.get(id) ?? []), h]);
    }
    if (stale.length) await this.#redis.hdel(this.#key, ...stale);
    return out;
  }
}
