import { Hono } from 'hono';
import type { SandboxClock } from './common/clock.ts';
import type { CatalogDrift, Sandbox } from './common/context.ts';
import { advanceClock } from './common/control.ts';
import { sandboxIndex, supplierLinks } from './common/inspect.ts';
import { renderSandboxPage } from './common/ui.ts';
import { mallReceiver } from './mall-receiver.ts';

// The page loads nothing and runs nothing: only its own inline style.
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/**
 * The sandbox host: one HTTP server carrying every simulated supplier under its own path, plus a
 * demo mall webhook receiver, the shared clock, and what a mall developer inspects: `GET /sandbox`
 * (every supplier with its counts and links) and `GET /sandbox/ui` (the same as one HTML page with
 * orders, after-sales and callbacks). The hub reaches it only through connectors, as it would a
 * real supplier.
 */
export function createSandboxHost(
  sandboxes: Pick<Sandbox, 'id' | 'kind' | 'app' | 'faults' | 'callbacks' | 'orderLedger' | 'afterSales'>[],
  clock?: SandboxClock,
  drift?: CatalogDrift,
): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    c.json({
      sandbox: 'redemption-hub supplier sandbox',
      inspect: '/sandbox (JSON: every supplier with counts and links), /sandbox/ui (HTML: orders, after-sales, callbacks, clock)',
      suppliers: sandboxes.map((s) => ({ id: s.id, kind: s.kind, baseUrl: `/${s.id}`, ...supplierLinks(s) })),
      mallReceiver: '/mall-receiver/{name} (POST deliveries, GET the last 500; PUT …/config {failWith, record, secret}; GET …/events)',
      clock: '/clock (GET), /clock/advance (POST {"ms": 3600000}) moves every supplier\'s business time forward (lifecycles), never the time signatures are checked or made with',
      ...(drift ? { drift: '/sandbox/catalog/drift (GET; POST {"share": 0.02}) serves that share of every goods supplier\'s SKUs with prices 5 % up, chosen by hash: a re-sync then finds them changed' } : {}),
    }),
  );
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/sandbox', (c) => c.json(sandboxIndex(sandboxes, clock)));
  app.get('/sandbox/ui', (c) => {
    const refresh = Number(c.req.query('refresh'));
    const page = renderSandboxPage(sandboxes, clock, { origin: new URL(c.req.url).origin, ...(Number.isInteger(refresh) && refresh >= 1 && refresh <= 3600 ? { refreshSeconds: refresh } : {}) });
    return c.body(page, 200, PAGE_HEADERS);
  });
  if (clock) {
    app.get('/clock', (c) => c.json({ now: clock.now().toISOString() }));
    app.post('/clock/advance', (c) => advanceClock(c, clock));
  }
  if (drift) {
    app.get('/sandbox/catalog/drift', (c) => c.json({ share: drift.share }));
    app.post('/sandbox/catalog/drift', async (c) => {
      const share = Number(((await c.req.json().catch(() => ({}))) as { share?: unknown }).share);
      if (!(share >= 0 && share <= 1)) return c.json({ error: 'share must be a number from 0 to 1' }, 400);
      drift.share = share;
      return c.json({ share });
    });
  }
  app.route('/mall-receiver', mallReceiver());
  for (const s of sandboxes) app.route(`/${s.id}`, s.app);
  return app;
}
