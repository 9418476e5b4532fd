import type * as Wire from '../../brand/wire.ts';
import type { BrandCatalog, StockOf } from './catalog.ts';

// Lines generated per pull: enough to keep gzip busy, small enough that memory stays flat.
const LINES_PER_PULL = 256;

/**
 * The nightly bulk feed as a gzip byte stream, generated as the client reads it (pull-based, so
 * a slow reader slows generation down and 250 000 products never sit in memory at once).
 */
export function feedStream(catalog: BrandCatalog, revision: number, stockOf: StockOf): ReadableStream<Uint8Array> {
  let index = 0;
  const encoder = new TextEncoder();
  const lines = new ReadableStream<Uint8Array>({
    pull(controller) {
      const end = Math.min(catalog.size, index + LINES_PER_PULL);
      let text = '';
      for (; index < end; index++) {
        const product: Wire.Product = catalog.product(catalog.sku(index, revision), stockOf);
        text += `${JSON.stringify(product)}\n`;
      }
      if (text) controller.enqueue(encoder.encode(text));
      if (index >= catalog.size) controller.close();
    },
  });
  return lines.pipeThrough(new CompressionStream('gzip'));
}
