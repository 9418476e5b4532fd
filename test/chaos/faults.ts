import { cutPostgres, restorePostgres } from './database.ts';
import type { ScheduledFault } from './options.ts';
import type { HubProcesses } from './processes.ts';
import { say, sleep } from './progress.ts';
import { deletePrefix } from './redis.ts';
import type { Mall, Sku, SkuGroup } from './setup.ts';

/** One fault as it was injected: when (ms since epoch) and what it did. */
export interface InjectedFault {
  kind: ScheduledFault['kind'] | 'supplier-faults';
  target?: string;
  startMs: number;
  endMs: number;
  detail: string;
}

/** Callback faults on every supplier while faults are on (duplicated, reordered, delayed, a few dropped). */
const CALLBACK_FAULTS = { duplicateRate: 0.2, reorder: true, delayMs: 1500, dropRate: 0.05 };

/**
 * The supplier-side faults of the run, per supplier: ~10 % errors (plus the first two calls), 50 ms
 * latency, 2 % hangs, 5 % lost answers of writes (plus the next two), tokens expired once, the
 * callback faults, a province with no stock anywhere, and stockouts of a few SKUs the load orders
 * (those sold by several suppliers: the hub fails over; a few single-source ones: it fails the line
 * and asks for a refund). Each supplier rolls its own dice from the run's seed.
 */
export function supplierFaults(supplierId: string, index: number, seed: number, stockouts: Map<string, string[]>) {
  const skus = stockouts.get(supplierId) ?? [];
  return {
    seed: seed * 31 + index,
    latencyMs: 50,
    errorRate: 0.1,
    failNext: 2,
    hangRate: 0.02,
    unknownOutcomeRate: 0.05,
    unknownOutcomeNext: 2,
    expireTokens: true,
    stockoutSkus: skus.slice(0, Math.ceil(skus.length / 2)),
    soldOutAtOrderSkus: skus.slice(Math.ceil(skus.length / 2)),
    stockoutRegions: ['630000', '青海', '青海省'],
    callbacks: CALLBACK_FAULTS,
  };
}

/** Supplier SKU ids to sell out, per supplier: most of them on items another supplier also sells. */
export function stockoutPicks(groups: Map<SkuGroup, Sku[]>, random: () => number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (sku: Sku | undefined, which: 'first' | 'all') => {
    for (const o of which === 'first' ? (sku?.offers.slice(0, 1) ?? []) : (sku?.offers ?? [])) out.set(o.supplierId, [...(out.get(o.supplierId) ?? []), o.supplierSkuId]);
  };
  const any = (g: SkuGroup) => {
    const list = groups.get(g) ?? [];
    return list[Math.floor(random() * list.length)];
  };
  // Failover: one source of a multi-source item is out.
  for (let i = 0; i < 8; i++) add(any('multi-source'), 'first');
  // No source left: the line fails and the mall is asked to refund.
  for (const g of ['jd', 'taobao', 'brand', 'service'] as const) add(any(g), 'all');
  return out;
}

/** The faults of `supplierFaults` in words, for the progress line. */
export function describeFaults(f: ReturnType<typeof supplierFaults>): string {
  return `${f.errorRate * 100} % errors (and the first ${f.failNext}), ${f.latencyMs} ms latency, ${f.hangRate * 100} % hangs, ${f.unknownOutcomeRate * 100} % lost answers of writes (and the next ${f.unknownOutcomeNext}), `
    + `tokens expired once, callbacks ${f.callbacks.duplicateRate * 100} % duplicated, reordered, delayed ${f.callbacks.delayMs} ms, ${f.callbacks.dropRate * 100} % dropped, no stock in ${f.stockoutRegions[1]}`;
}

export async function setSupplierFaults(sandboxUrl: string, supplierId: string, faults: unknown): Promise<void> {
  const r = await fetch(`${sandboxUrl}/${supplierId}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (!r.ok) throw new Error(`PUT /${supplierId}/sandbox/faults answered ${r.status}: ${await r.text()}`);
}

async function setReceiverDown(sandboxUrl: string, malls: Mall[], down: boolean): Promise<void> {
  for (const m of malls) {
    const r = await fetch(`${sandboxUrl}/mall-receiver/${m.receiver}/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failWith: down ? 500 : null }) });
    if (!r.ok) throw new Error(`mall receiver config answered ${r.status}`);
  }
}

export interface FaultEnv {
  processes: HubProcesses;
  database: string;
  redisPrefix: string;
  sandboxUrl: string;
  malls: Mall[];
}

/**
 * Runs the schedule against the live hub while the load runs: each fault at its second, the
 * lasting ones (a process down, PostgreSQL cut, the mall's endpoint down) undone after their time.
 * Every fault is recorded as it happened. PostgreSQL is allowed again in a finally, whatever
 * happens; the caller also does it on exit.
 */
export async function runSchedule(schedule: readonly ScheduledFault[], env: FaultEnv, startedAt: number, injected: InjectedFault[]): Promise<void> {
  const running: Promise<void>[] = [];
  for (const f of [...schedule].sort((a, b) => a.at - b.at)) {
    const due = startedAt + f.at * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
    running.push(inject(f, env, injected).catch((err: unknown) => say('fault', `${f.kind} failed in the harness: ${String(err)}`)));
  }
  await Promise.all(running);
}

async function inject(f: ScheduledFault, env: FaultEnv, injected: InjectedFault[]): Promise<void> {
  const startMs = Date.now();
  switch (f.kind) {
    case 'kill': {
      const pid = await env.processes.kill(f.target);
      say('fault', `SIGKILL ${f.target} (pid ${pid}); back in ${f.downSeconds} s`);
      await sleep(f.downSeconds * 1000);
      await env.processes.start(f.target);
      say('fault', `${f.target} restarted (pid ${env.processes.pid(f.target)})`);
      injected.push({ kind: 'kill', target: f.target, startMs, endMs: Date.now(), detail: `SIGKILL pid ${pid}, restarted after ${f.downSeconds} s as pid ${env.processes.pid(f.target)}` });
      return;
    }
    case 'postgres-cut': {
      let terminated = 0;
      try {
        terminated = await cutPostgres(env.database);
        say('fault', `PostgreSQL cut: connections to ${env.database} refused, ${terminated} backends terminated; for ${f.seconds} s`);
        await sleep(f.seconds * 1000);
      } finally {
        await restorePostgres(env.database);
      }
      say('fault', 'PostgreSQL connections allowed again');
      injected.push({ kind: 'postgres-cut', startMs, endMs: Date.now(), detail: `allow_connections false for ${f.seconds} s, ${terminated} backends terminated` });
      return;
    }
    case 'redis-loss': {
      const deleted = await deletePrefix(env.redisPrefix);
      say('fault', `Redis lost its data: ${deleted} keys under ${env.redisPrefix}: deleted`);
      injected.push({ kind: 'redis-loss', startMs, endMs: Date.now(), detail: `${deleted} keys deleted` });
      return;
    }
    case 'mall-endpoint-down': {
      try {
        await setReceiverDown(env.sandboxUrl, env.malls, true);
        say('fault', `the malls' webhook endpoints answer 500 for ${f.seconds} s`);
        await sleep(f.seconds * 1000);
      } finally {
        await setReceiverDown(env.sandboxUrl, env.malls, false);
      }
      say('fault', 'the malls\' webhook endpoints answer again');
      injected.push({ kind: 'mall-endpoint-down', startMs, endMs: Date.now(), detail: `500 for ${f.seconds} s` });
      return;
    }
  }
}

/** Mall routes that call a supplier while the mall waits: a supplier failing is a dependency down for them. */
const SUPPLIER_ROUTES = ['POST /v1/orders/{orderId}/cancel', 'POST /v1/catalog/availability'];

/**
 * Windows in which a dependency of the API was down, with the grace after it during which pools
 * reconnect: a 503 (with Retry-After) is the right answer inside one and no 5xx is right outside.
 * PostgreSQL and Redis are every route's dependencies; the suppliers (faulty the whole load) only
 * of the routes that call them. A killed process answers nothing at all, so kills open no window.
 */
export function outageWindows(injected: readonly InjectedFault[], graceMs: number): OutageWindow[] {
  return injected.flatMap((f): OutageWindow[] => {
    if (f.kind === 'postgres-cut' || f.kind === 'redis-loss') return [{ kind: f.kind, fromMs: f.startMs, toMs: f.endMs + graceMs }];
    if (f.kind === 'supplier-faults') return [{ kind: f.kind, fromMs: f.startMs, toMs: f.endMs + graceMs, routes: SUPPLIER_ROUTES }];
    return [];
  });
}

export interface OutageWindow {
  kind: string;
  fromMs: number;
  toMs: number;
  /** Only these routes depend on what was down (all routes when absent). */
  routes?: string[];
}
