import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { SupplierSku } from '../connector.ts';
import { SupplierError } from '../errors.ts';
import { toSupplierSku } from './mapper.ts';
import { Product } from './wire.ts';

/** Path of the nightly bulk feed: gzip, one product JSON per line. */
export const FEED_PATH = '/v1/feeds/products.jsonl.gz';

/**
 * Reads the gzip JSON-lines feed as it arrives and yields one SKU per line, so a catalog of any
 * size passes through in constant memory. Stopping early (a `break` in the consumer) closes the
 * download; a broken download is `unavailable` (start the full sync again), a line we cannot
 * read is `invalid_response`.
 */
export async function* readFeed(supplier: string, body: Readable): AsyncGenerator<SupplierSku> {
  const gunzip = createGunzip();
  // pipe() does not forward the source's errors; without this a dropped connection would stall.
  body.on('error', (err) => gunzip.destroy(err));
  body.pipe(gunzip);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  try {
    for await (const chunk of gunzip) {
      const lines = (rest + decoder.write(chunk as Buffer)).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        lineNo++;
        if (line.trim()) yield lineToSku(supplier, line, lineNo);
      }
    }
    rest += decoder.end();
    if (rest.trim()) yield lineToSku(supplier, rest, lineNo + 1);
  } catch (err) {
    if (err instanceof SupplierError) throw err;
    throw new SupplierError(supplier, 'unavailable', `product feed broke off after line ${lineNo}`, { cause: err });
  } finally {
    body.destroy();
    gunzip.destroy();
  }
}

function lineToSku(supplier: string, line: string, lineNo: number): SupplierSku {
  try {
    return toSupplierSku(Product.parse(JSON.parse(line)));
  } catch (err) {
    throw new SupplierError(supplier, 'invalid_response', `product feed line ${lineNo} is not a product`, { retryable: false, cause: err });
  }
}
