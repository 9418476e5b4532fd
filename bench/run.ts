/**
 * `npm run bench`: every benchmark in sequence, each printing its figure next to the baseline it is
 * compared with, measured in the same run. Results are also appended to bench/results/<date>.json.
 * Pass names to run a subset: `npm run bench -- catalog-paging`.
 * Scale and length: BENCH_SKUS_PER_SUPPLIER (250 000), BENCH_QUERY_SECONDS (15), BENCH_QUERY_WARMUP_SECONDS (5),
 * BENCH_QUERY_CONNECTIONS (10,50), BENCH_QUERY_ALONE_CALLS (50); to run beside another bench: BENCH_DB, BENCH_SANDBOX_PORT,
 * BENCH_HUB_PORT, BENCH_BARE_PORT (order-intake's bare server), BENCH_PEER_PORT (catalog-query's Groonga hop; defaults to
 * BENCH_BARE_PORT) and BENCH_GROONGA_PORT (Groonga itself; the hop's port + 1).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { benchBoard } from './board.ts';
import { benchCatalogPaging } from './catalog-paging.ts';
import { benchCatalogQuery } from './catalog-query.ts';
import { benchCatalogSync } from './catalog-sync.ts';
import { benchOrderIntake } from './order-intake.ts';
import { benchWebhookDelivery } from './webhook-delivery.ts';
import type { BenchResult } from './bench-result.ts';


const benches: Record<string, () => Promise<BenchResult>> = {
  'catalog-paging': benchCatalogPaging,
  'catalog-sync': benchCatalogSync,
  'catalog-query': benchCatalogQuery,
  'order-intake': benchOrderIntake,
  'webhook-delivery': benchWebhookDelivery,
  board: benchBoard,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const results: BenchResult[] = [];
for (const [name, run] of Object.entries(benches)) {
  if (wanted.length && !wanted.includes(name)) continue;
  process.stdout.write(`\n== ${name} ==\n`);
  const r = await run();
  results.push(r);
  process.stdout.write(`${JSON.stringify({ figures: r.figures, baseline: r.baseline }, null, 2)}\n${r.verdict}\n`);
}
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url);
await writeFile(file, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
process.stdout.write(`\nwritten ${file.pathname}\n`);
// A library handle left open (BullMQ's blocking Redis client, say) must not keep a finished run alive.
process.exit(0);
