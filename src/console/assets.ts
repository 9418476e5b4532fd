import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Hono } from 'hono';

/*
 * The console's static files under /console/assets/: its own stylesheet and scripts
 * (src/console/assets/), and htmx and uPlot as their npm packages ship them (pinned in
 * package.json), read from node_modules once at start. Nothing is built and nothing is fetched
 * from the internet. Each URL carries the file's hash (`?v=`), so a browser may keep a file for a
 * year and still gets a changed one at once.
 */

const require = createRequire(import.meta.url);
const own = (name: string) => new URL(`./assets/${name}`, import.meta.url);

const SOURCES: Record<string, { file: string | URL; type: string }> = {
  'console.css': { file: own('console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { file: own('console.js'), type: 'text/javascript; charset=utf-8' },
  'htmx.min.js': { file: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.iife.min.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};
export type AssetName = keyof typeof SOURCES;

interface Asset {
  body: Buffer;
  type: string;
  hash: string;
}

let loaded: Map<string, Asset> | undefined;
function assets(): Map<string, Asset> {
  loaded ??= new Map(
    Object.entries(SOURCES).map(([name, s]) => {
      const body = readFileSync(s.file);
      return [name, { body, type: s.type, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) }];
    }),
  );
  return loaded;
}

/** The URL of an asset, with its hash. */
export function assetUrl(name: AssetName): string {
  return `/console/assets/${name}?v=${assets().get(name)?.hash ?? '0'}`;
}

/** GET /console/assets/{name}: immutable for a year when `v` is the current hash, five minutes otherwise; ETag either way. */
export function registerAssets(app: Hono<any>): void {
  app.get('/assets/:name', (c) => {
    const asset = assets().get(c.req.param('name'));
    if (!asset) return c.text('not found', 404);
    const etag = `"${asset.hash}"`;
    const cache = c.req.query('v') === asset.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=300';
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, { ETag: etag, 'Cache-Control': cache });
    return c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.type, ETag: etag, 'Cache-Control': cache });
  });
}
