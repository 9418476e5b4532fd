import { GOODS_SUPPLIERS, goodsSkus } from '../fixtures/catalog/index.ts';
import { loadConfig } from '../src/config.ts';
import { CatalogPageReader } from '../src/catalog/page-reader.ts';
import { createConnectors } from '../src/suppliers.ts';
import type { BenchResult } from './bench-result.ts';
import { peakRssMiB, startSandboxProcess } from './sandbox-process.ts';

const PER_SUPPLIER = Number(process.env.BENCH_SKUS_PER_SUPPLIER ?? 250_000);

/** What paging every goods supplier's whole catalog took. */
export interface PagingFigures {
  paged: number;
  seconds: number;
  perSupplier: Record<string, string>;
}

/**
 * Pages every goods supplier's whole catalog out of a sandbox through the hub's connectors, over
 * HTTP, suppliers in parallel, writing nothing: the floor of a sync (catalog-sync compares its
 * re-sync with this, measured in the same run).
 */
export async function pageGoodsCatalog(sandboxUrl: string, pageSize = 500): Promise<PagingFigures> {
  const config = loadConfig({ HUB_SANDBOX_URL: sandboxUrl, HUB_SUPPLIER_TIMEOUT_MS: '30000' });
  const goods = [...createConnectors(config.suppliers).values()].filter((c) => c.kind !== 'topup');
  const perSupplier: Record<string, string> = {};
  const started = performance.now();
  const counts = await Promise.all(
    goods.map(async (c) => {
      const t0 = performance.now();
      let n = 0;
      // Read as the sync reads them: in order, several at once where the supplier numbers its pages.
      const reader = new CatalogPageReader(c, null, { limit: pageSize });
      for (let page = await reader.next(); page; page = await reader.next()) n += page.items.length;
      perSupplier[c.id] = `${n} SKUs in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
      return n;
    }),
  );
  return { paged: counts.reduce((a, b) => a + b, 0), seconds: (performance.now() - started) / 1000, perSupplier };
}

/**
 * Pages the whole goods catalog (250 000 SKUs at each of JD, Taobao and two brands = 1 000 000)
 * out of the sandboxes through the hub's connectors, over HTTP, suppliers in parallel.
 * Baseline: generating the same SKUs in-process (the floor: no HTTP, no signing, no mapping).
 */
export async function benchCatalogPaging(): Promise<BenchResult> {
  const sandbox = await startSandboxProcess({ HUB_SANDBOX_SKUS: String(PER_SUPPLIER), HUB_SANDBOX_SEED: '1' });
  try {
    const config = loadConfig({ HUB_SANDBOX_URL: sandbox.url, HUB_SUPPLIER_TIMEOUT_MS: '30000' });
    const connectors = createConnectors(config.suppliers);

    // Baseline: the same suppliers' SKUs generated in-process.
    const started = performance.now();
    let generated = 0;
    for (const s of GOODS_SUPPLIERS.filter((id) => connectors.has(id))) for (const _ of goodsSkus(s, { seed: 1, size: PER_SUPPLIER })) generated++;
    const genSeconds = (performance.now() - started) / 1000;

    const { paged, seconds, perSupplier } = await pageGoodsCatalog(sandbox.url);
    const missing = GOODS_SUPPLIERS.filter((s) => !connectors.has(s));
    return {
      name: 'catalog-paging',
      figures: {
        skusPaged: paged,
        seconds: Number(seconds.toFixed(1)),
        skusPerSecond: Math.round(paged / seconds),
        ...perSupplier,
        benchPeakRssMiB: await peakRssMiB(),
        sandboxPeakRssMiB: await sandbox.peakRssMiB(),
      },
      baseline: { generatedInProcess: generated, seconds: Number(genSeconds.toFixed(1)), skusPerSecond: Math.round(generated / genSeconds) },
      verdict:
        `${paged.toLocaleString('en')} SKUs paged through the connectors in ${seconds.toFixed(1)} s (${Math.round(paged / seconds).toLocaleString('en')} SKU/s); ` +
        `generating them in-process takes ${genSeconds.toFixed(1)} s (${Math.round(generated / genSeconds).toLocaleString('en')} SKU/s), so HTTP, signing and mapping cost ${(seconds / genSeconds).toFixed(1)}× the generation floor.` +
        (missing.length ? ` Not yet paged: ${missing.join(', ')} (no connector).` : ''),
    };
  } finally {
    await sandbox.stop();
  }
}
