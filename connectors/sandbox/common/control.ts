import { Hono } from 'hono';
import type { Sandbox } from './context.ts';
import type { SandboxClock } from './clock.ts';

/**
 * Control routes every sandbox carries under `/{id}/sandbox/…` (not part of the supplier's API):
 * faults (and how often each fired), callbacks sent, every order it holds (`/orders`, in one
 * shape for all suppliers: see ledger.ts) and the shared clock.
 */
export function controlRoutes(sandbox: Pick<Sandbox, 'id' | 'faults' | 'callbacks' | 'orderLedger'>, clock: SandboxClock): Hono {
  const app = new Hono();
  app.get('/orders', (c) => c.json({ supplier: sandbox.id, orders: sandbox.orderLedger() }));
  app.get('/faults', (c) => c.json(sandbox.faults.config));
  app.get('/faults/injected', (c) => c.json(sandbox.faults.injected));
  app.put('/faults', async (c) => {
    try {
      return c.json(sandbox.faults.set(await c.req.json()));
    } catch (err) {
      return c.json({ error: { type: 'invalid_faults', message: err instanceof Error ? err.message : String(err) } }, 400);
    }
  });
  app.get('/callbacks', (c) => c.json({ attempts: sandbox.callbacks.attempts }));
  app.post('/clock/advance', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { ms?: number };
    const now = await clock.advance(Number(body.ms ?? 0));
    return c.json({ now: now.toISOString() });
  });
  app.get('/clock', (c) => c.json({ now: clock.now().toISOString() }));
  return app;
}
