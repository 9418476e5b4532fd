import { HttpResponse } from 'msw';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { SupplierSku } from '../../../connectors/connector.ts';
import { isSupplierError } from '../../../connectors/errors.ts';
import { wireSample } from '../../../fixtures/wire/brand/samples.ts';
import { recordedConnector, useRecordedBrand } from './wire-server.ts';

const brand = useRecordedBrand();
const connector = recordedConnector();

async function collect(feed: AsyncIterable<SupplierSku>): Promise<SupplierSku[]> {
  const out: SupplierSku[] = [];
  for await (const sku of feed) out.push(sku);
  return out;
}

describe('brand bulk feed', () => {
  it('streamFeed reads the recorded gzip JSON-lines feed: one SKU per line, the same as the pages', async () => {
    const skus = await collect(connector.streamFeed());
    expect(brand.calls[0]?.headers.get('authorization')).toBe('Bearer rec-acme-key');
    expect(skus).toHaveLength(60);
    expect(new Set(skus.map((s) => s.supplierSkuId)).size).toBe(60);
    const page = await connector.listCatalog({ limit: 6 });
    expect(skus.slice(0, 6)).toEqual(page.items);
  });

  it('stops the download when the consumer stops early', async () => {
    const seen: string[] = [];
    for await (const sku of connector.streamFeed()) {
      seen.push(sku.supplierSkuId);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['ACME-000001', 'ACME-000002', 'ACME-000003']);
  });

  it('skips blank lines and reads a last line without a newline', async () => {
    const lines = wireSample('products-page').response.body.data.map((p: unknown) => JSON.stringify(p));
    brand.reply(() => new HttpResponse(gzipSync(`${lines[0]}\n\n${lines[1]}`), { headers: { 'content-type': 'application/gzip' } }));
    expect((await collect(connector.streamFeed())).map((s) => s.supplierSkuId)).toEqual(['ACME-000001', 'ACME-000002']);
  });

  it('a line that is not a product is invalid_response', async () => {
    brand.reply(() => new HttpResponse(gzipSync('{"id":"x"}\n'), { headers: { 'content-type': 'application/gzip' } }));
    const err = await collect(connector.streamFeed()).catch((e: unknown) => e);
    expect(isSupplierError(err, 'invalid_response')).toBe(true);
  });

  it('a body that is not gzip is unavailable (start the sync again)', async () => {
    brand.reply(() => new HttpResponse('not gzip at all', { headers: { 'content-type': 'application/gzip' } }));
    const err = await collect(connector.streamFeed()).catch((e: unknown) => e);
    expect(isSupplierError(err, 'unavailable')).toBe(true);
  });

  it('opening the feed is retried after a 503 and refused for a wrong key', async () => {
    let n = 0;
    brand.reply(() => (n++ === 0 ? HttpResponse.json({ error: { type: 'service_unavailable', message: 'busy' } }, { status: 503 }) : undefined));
    expect(await collect(connector.streamFeed())).toHaveLength(60);
    const wrong = recordedConnector({ credentials: { apiKey: 'wrong', webhookSecret: 'x' } });
    const err = await collect(wrong.streamFeed()).catch((e: unknown) => e);
    expect(isSupplierError(err, 'auth_failed')).toBe(true);
  });
});
