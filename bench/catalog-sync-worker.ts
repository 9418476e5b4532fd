/**
 * The sync side of the catalog-sync bench, in its own process so its peak RSS is the sync's alone:
 * full syncs of the four goods suppliers at once (as one worker process with catalogSync
 * concurrency 4 runs them), then the top-up providers (BENCH_SYNC_TOPUPS=0: not, for the re-sync).
 * Configured like the hub (DATABASE_URL, HUB_SANDBOX_URL, HUB_DB_POOL_MAX); prints one JSON line
 * of figures on stdout.
 */
import { GOODS_SUPPLIERS } from '../fixtures/catalog/index.ts';
import type { SupplierConnector } from '../connectors/connector.ts';
import { catalogWriteSeconds } from '../src/catalog/catalog-store.ts';
import { runFullSync } from '../src/catalog/full-sync.ts';
import { loadConfig } from '../src/config.ts';
import { systemClock } from '../src/domain/clock.ts';
import { openOrm, type Orm } from '../src/persistence/orm.ts';
import { createConnectors } from '../src/suppliers.ts';
import { peakRssMiB } from './sandbox-process.ts';

/** What one supplier's full sync did. */
export interface SupplierSyncFigures {
  seen: number;
  /** Offers written (new or changed): all of them in a first sync, the changed ones in a re-sync. */
  written: number;
  pages: number;
  seconds: number;
  /** Attempts that failed and were resumed from the run's checkpoint, with their errors. */
  retries: number;
  errors: string[];
}

/** The worker's report to the bench. */
export interface SyncWorkerReport {
  goods: Record<string, SupplierSyncFigures>;
  goodsSeconds: number;
  topup: Record<string, SupplierSyncFigures>;
  peakRssMiB: number;
  /** Where the page writes' time went, summed over the concurrent syncs (seconds of wall time each spent waiting or computing). */
  writeSeconds: Record<string, number>;
}

const MAX_ATTEMPTS = 5;

// A failed attempt leaves the run resumable; BullMQ would retry it after a back-off, here at once.
async function syncOne(orm: Orm, connector: SupplierConnector): Promise<SupplierSyncFigures> {
  const started = performance.now();
  const errors: string[] = [];
  for (;;) {
    try {
      const out = await runFullSync({ em: orm.em.fork(), clock: systemClock }, connector);
      if (out.status !== 'succeeded') throw new Error(`${connector.id}: full sync ${out.status} (another run holds the supplier)`);
      return { seen: out.seen, written: out.written, pages: out.pages, seconds: Number(((performance.now() - started) / 1000).toFixed(1)), retries: errors.length, errors };
    } catch (err) {
      errors.push(err instanceof Error ? err.message.slice(0, 300) : String(err));
      if (errors.length >= MAX_ATTEMPTS) throw new Error(`${connector.id}: full sync failed ${MAX_ATTEMPTS} times; last: ${errors.at(-1)}`);
    }
  }
}

const config = loadConfig();
const orm = await openOrm(config);
try {
  const connectors = createConnectors(config.suppliers);
  const goods = GOODS_SUPPLIERS.map((id) => connectors.get(id)).filter((c): c is SupplierConnector => c !== undefined);
  const started = performance.now();
  const goodsFigures = await Promise.all(goods.map((c) => syncOne(orm, c)));
  const goodsSeconds = (performance.now() - started) / 1000;
  // Top-ups are a few hundred virtual items: synced after the timed part, so mall queries can filter on kind=virtual.
  const topups = process.env.BENCH_SYNC_TOPUPS === '0' ? [] : [...connectors.values()].filter((c) => c.kind === 'topup');
  const topupFigures = await Promise.all(topups.map((c) => syncOne(orm, c)));
  const report: SyncWorkerReport = {
    goods: Object.fromEntries(goods.map((c, i) => [c.id, goodsFigures[i] as SupplierSyncFigures])),
    goodsSeconds: Number(goodsSeconds.toFixed(1)),
    topup: Object.fromEntries(topups.map((c, i) => [c.id, topupFigures[i] as SupplierSyncFigures])),
    peakRssMiB: await peakRssMiB(),
    writeSeconds: Object.fromEntries(Object.entries(catalogWriteSeconds).map(([k, v]) => [k, Number(v.toFixed(1))])),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
} catch (err) {
  // Said before closing the pool: a close that never settles would otherwise swallow the cause.
  process.stderr.write(`sync worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await orm.close(true);
}
