import { Hono } from 'hono';
import type { SandboxClock } from './common/clock.ts';
import type { Sandbox } from './common/context.ts';
import { mallReceiver } from './mall-receiver.ts';

/**
 * The sandbox host: one HTTP server carrying every simulated supplier under its own path, plus a
 * demo mall webhook receiver and the shared clock. The hub reaches it only through connectors, as
 * it would a real supplier.
 */
export function createSandboxHost(sandboxes: Pick<Sandbox, 'id' | 'kind' | 'app'>[], clock?: SandboxClock): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    c.json({
      sandbox: 'redemption-hub supplier sandbox',
      suppliers: sandboxes.map((s) => ({ id: s.id, kind: s.kind, baseUrl: `/${s.id}`, faults: `/${s.id}/sandbox/faults`, orders: `/${s.id}/sandbox/orders` })),
      mallReceiver: '/mall-receiver/{name} (POST deliveries, GET the last 500; PUT …/config {failWith, record, secret}; GET …/events)',
      clock: '/clock (GET), /clock/advance (POST {"ms": 3600000}) moves every supplier forward',
    }),
  );
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (clock) {
    app.get('/clock', (c) => c.json({ now: clock.now().toISOString() }));
    app.post('/clock/advance', async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as { ms?: unknown };
      const ms = Number(body.ms);
      if (!Number.isInteger(ms) || ms < 0) return c.json({ error: { type: 'invalid_request', message: 'ms must be a non-negative integer' } }, 400);
      return c.json({ now: (await clock.advance(ms)).toISOString() });
    });
  }
  app.route('/mall-receiver', mallReceiver());
  for (const s of sandboxes) app.route(`/${s.id}`, s.app);
  return app;
}
