import { readFile } from 'node:fs/promises';
import { createRoute, z } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { HubApp } from '../../app-type.ts';
import { publicRoute } from '../../schemas.ts';

// The reference UI is served from the installed package: the hub must not depend on a CDN.
const BUNDLE_URL = new URL('./browser/standalone.js', import.meta.resolve('@scalar/api-reference'));
let bundle: Promise<Buffer> | undefined;

/** GET /docs in the document (the page is Scalar's middleware, registered below). */
const docsRoute = createRoute({
  method: 'get',
  path: '/docs',
  operationId: 'getDocs',
  tags: ['Operations'],
  summary: 'The interactive API reference (this document, rendered)',
  description: 'An HTML page rendering GET /openapi.json, with sample requests; its script is served by the hub itself (no CDN, no calls to outside services).',
  security: publicRoute,
  responses: {
    200: {
      description: 'The reference page',
      content: { 'text/html': { schema: z.string(), example: '<!doctype html><html><head><title>redemption-hub API</title></head><body><script id="api-reference" data-url="/openapi.json"></script><script src="/docs/scalar.js"></script></body></html>' } },
    },
  },
});

/** GET /docs (interactive API reference) and the script it loads. */
export function registerDocs(app: HubApp): void {
  // Browsers ask for it on every page of the reference; an empty answer instead of a logged 404.
  app.get('/favicon.ico', (c) => {
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(null, 204);
  });
  app.get('/docs/scalar.js', async (c) => {
    bundle ??= readFile(BUNDLE_URL);
    c.header('Content-Type', 'application/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(new Uint8Array(await bundle));
  });
  app.openAPIRegistry.registerPath(docsRoute);
  app.get(
    '/docs',
    Scalar({
      url: '/openapi.json',
      pageTitle: 'redemption-hub API',
      cdn: '/docs/scalar.js',
      withDefaultFonts: false,
      hideClientButton: false,
      defaultOpenAllTags: false,
      // Nothing on this page may call out to Scalar's cloud services.
      showDeveloperTools: 'never',
      telemetry: false,
      agent: { disabled: true },
      mcp: { disabled: true },
    }),
  );
}
