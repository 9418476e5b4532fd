import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { BENCH_DB, type CatalogCounts, catalogCounts, dbUrl, PER_SUPPLIER, recreateBenchDb, withClient } from './bench-db.ts';
import type { SyncWorkerReport } from './catalog-sync-worker.ts';
import { copyBaseline } from './copy-baseline.ts';
import type { BenchResult } from './bench-result.ts';
import { startSandboxProcess } from './sandbox-process.ts';

const TARGET_SKUS_PER_SECOND = 5_000;

/** A fresh bench database filled by the hub's full sync, with what it took (and what ran before it). */
export interface SyncedCatalog<T = undefined> {
  report: SyncWorkerReport;
  counts: CatalogCounts;
  skus: number;
  before: T;
}

/**
 * Recreates the bench database and fills it the way the hub does: a sandbox process serving
 * `perSupplier` SKUs at each goods supplier, and a worker process running their full syncs.
 * `before` runs on the fresh database first (the COPY floor), while the sandbox holds its port.
 */
export async function syncBenchCatalog<T = undefined>(perSupplier = PER_SUPPLIER, before?: () => Promise<T>): Promise<SyncedCatalog<T>> {
  // The sandbox starts first and refuses a taken port, so its port doubles as a lock: a second
  // bench started meanwhile stops there instead of dropping the database under this one.
  const sandbox = await startSandboxProcess({ HUB_SANDBOX_SKUS: String(perSupplier), HUB_SANDBOX_SEED: '1' }, Number(process.env.BENCH_SANDBOX_PORT ?? 4180));
  try {
    await recreateBenchDb();
    const first = (await before?.()) as T;
    // Malls exist while catalogs sync, and each page is priced for every active mall: one mall here.
    await withClient((c) =>
      c.query(`insert into mall (id, name, status, webhook_url, webhook_enabled, webhook_secret, points_per_yuan, rate_limit_per_sec, rate_limit_burst,
                                 pricing, catalog_selection, tier_discounts, created_at, updated_at)
               values ('mall_benchsync', 'sync bench mall', 'active', 'http://127.0.0.1:9/hook', true, '{"keyId":"bench","data":""}', 100, 200, 400,
                       '{}', '{}', '{}', now(), now())`),
    );
    const report = await runWorker({ DATABASE_URL: dbUrl(), HUB_SANDBOX_URL: sandbox.url, HUB_SUPPLIER_TIMEOUT_MS: '30000', HUB_LOG_LEVEL: 'warn' });
    const counts = await catalogCounts();
    if (!counts) throw new Error(`${BENCH_DB} has no catalog after the sync`);
    const skus = Object.values(report.goods).reduce((n, s) => n + s.seen, 0);
    return { report, counts, skus, before: first };
  } finally {
    await sandbox.stop();
  }
}

/** Makes sure the bench database holds the synced catalog (so catalog-query can run alone); syncs it when not. */
export async function ensureBenchCatalog(perSupplier = PER_SUPPLIER): Promise<CatalogCounts> {
  const counts = await catalogCounts();
  // Every listed SKU becomes an offer, so a complete catalog has exactly 4 × perSupplier goods offers.
  if (counts && counts.goodsOffers === 4 * perSupplier && counts.virtualItems > 0) return counts;
  process.stdout.write(`${BENCH_DB} lacks the ${4 * perSupplier} synced goods offers (has ${counts?.goodsOffers ?? 0}); running the catalog sync first…\n`);
  return (await syncBenchCatalog(perSupplier)).counts;
}

function runWorker(env: Record<string, string>): Promise<SyncWorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/catalog-sync-worker.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      process.off('exit', kill);
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) return reject(new Error(`sync worker exited with ${code}: ${out.slice(-2000)}`));
      resolve(JSON.parse(last) as SyncWorkerReport);
    });
  });
}

/**
 * The hub's full sync of 1 000 000 goods SKUs (four suppliers × 250 000, concurrently, out of a
 * sandbox process over HTTP) into a fresh database. Baseline: PostgreSQL COPY of the same rows
 * into tables with the same columns and indexes. Leaves bench_catalog filled for catalog-query.
 */
export async function benchCatalogSync(): Promise<BenchResult> {
  const loadAtStart = loadavg()[0] ?? 0;
  // The floor first, on the same server, before the database it runs in is filled.
  const { report, counts, skus, before: copy } = await syncBenchCatalog(PER_SUPPLIER, () => copyBaseline(PER_SUPPLIER));
  const perSecond = Math.round(skus / report.goodsSeconds);
  const perSupplier = Object.fromEntries(
    Object.entries(report.goods).map(([id, s]) => [id, `${s.seen} SKUs in ${s.seconds} s${s.retries ? ` after ${s.retries} failed attempt(s): ${s.errors.join(' | ')}` : ''}`]),
  );
  const topupOffers = Object.values(report.topup).reduce((n, s) => n + s.seen, 0);
  const ratio = perSecond / copy.skusPerSecond;
  const miss = perSecond >= TARGET_SKUS_PER_SECOND ? 'meets' : `misses by ${(TARGET_SKUS_PER_SECOND - perSecond).toLocaleString('en')} SKU/s (${Math.round((1 - perSecond / TARGET_SKUS_PER_SECOND) * 100)} % short; ${(TARGET_SKUS_PER_SECOND / perSecond).toFixed(1)}× too slow)`;
  return {
    name: 'catalog-sync',
    figures: {
      skusSynced: skus,
      seconds: report.goodsSeconds,
      skusPerSecond: perSecond,
      ...perSupplier,
      catalogItems: counts.goodsItems,
      catalogOffers: counts.goodsOffers,
      sellableItems: counts.sellableItems,
      topupOffersSyncedAfter: topupOffers,
      topupSeconds: Math.max(0, ...Object.values(report.topup).map((s) => s.seconds)),
      syncPeakRssMiB: report.peakRssMiB,
      // Prices follow each page: every item was priced for the one active mall as it arrived.
      mallItemsPricedDuringSync: Number((await withClient((c) => c.query<{ n: string }>("select count(*)::text n from mall_item where mall_id = 'mall_benchsync'"))).rows[0]?.n),
      machine: `${cpus().length} CPUs shared by PostgreSQL, the sandbox and the sync; load average ${loadAtStart.toFixed(1)} at start`,
    },
    baseline: {
      copyItems: copy.items,
      copyOffers: copy.offers,
      copySeconds: copy.seconds,
      copyItemSeconds: copy.itemSeconds,
      copyOfferSeconds: copy.offerSeconds,
      copyRowsPerSecond: copy.rowsPerSecond,
      copySkusPerSecond: copy.skusPerSecond,
      prepareSecondsNotCounted: copy.prepareSeconds,
    },
    verdict:
      `${skus.toLocaleString('en')} SKUs synced by the hub in ${report.goodsSeconds} s (${perSecond.toLocaleString('en')} SKU/s) into ${counts.goodsItems.toLocaleString('en')} items and ` +
      `${counts.goodsOffers.toLocaleString('en')} offers; COPY of the same ${copy.items.toLocaleString('en')} items + ${copy.offers.toLocaleString('en')} offers takes ${copy.seconds} s ` +
      `(${copy.rowsPerSecond.toLocaleString('en')} rows/s, ${copy.skusPerSecond.toLocaleString('en')} SKU/s), so the sync runs at ${(ratio * 100).toFixed(1)} % of COPY (${(1 / ratio).toFixed(1)}× slower). ` +
      `Target ≥ ${TARGET_SKUS_PER_SECOND.toLocaleString('en')} SKU/s: ${miss}. Sync process peak RSS ${report.peakRssMiB} MiB.`,
  };
}
