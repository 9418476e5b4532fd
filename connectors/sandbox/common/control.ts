import { type Context, Hono } from 'hono';
import type { Sandbox } from './context.ts';
import type { SandboxClock } from './clock.ts';

/**
 * Control routes every sandbox carries under `/{id}/sandbox/…` (not part of the supplier's API):
 * faults (and how often each fired), the callbacks it sent to the hub (`/callbacks`: the last 500,
 * with what the hub answered), every order and after-sale it holds (`/orders`, `/after-sales`, in
 * one shape for all suppliers: see ledger.ts) and the shared clock.
 */
export function controlRoutes(sandbox: Pick<Sandbox, 'id' | 'faults' | 'callbacks' | 'orderLedger' | 'afterSales'>, clock: SandboxClock): Hono {
  const app = new Hono();
  app.get('/orders', (c) => c.json({ supplier: sandbox.id, orders: sandbox.orderLedger() }));
  app.get('/after-sales', (c) => c.json({ supplier: sandbox.id, afterSales: sandbox.afterSales() }));
  app.get('/faults', (c) => c.json(sandbox.faults.config));
  app.get('/faults/injected', (c) => c.json(sandbox.faults.injected));
  app.put('/faults', async (c) => {
    try {
      return c.json(sandbox.faults.set(await c.req.json()));
    } catch (err) {
      return c.json({ error: { type: 'invalid_faults', message: err instanceof Error ? err.message : String(err) } }, 400);
    }
  });
  // `callbacks`: one entry per delivery, newest first; `attempts`: every HTTP attempt, oldest first.
  app.get('/callbacks', (c) => c.json({ supplier: sandbox.id, callbacks: sandbox.callbacks.records(), attempts: sandbox.callbacks.attempts }));
  app.post('/clock/advance', (c) => advanceClock(c, clock));
  app.get('/clock', (c) => c.json({ now: clock.now().toISOString() }));
  return app;
}

/** `POST …/clock/advance {"ms": n}`: moves the sandbox clock n ms ahead (never back) and runs what fell due. */
export async function advanceClock(c: Context, clock: SandboxClock): Promise<Response> {
  const body = (await c.req.json().catch(() => ({}))) as { ms?: unknown };
  const ms = Number(body.ms);
  if (!Number.isInteger(ms) || ms < 0) return c.json({ error: { type: 'invalid_request', message: 'ms must be a non-negative integer' } }, 400);
  return c.json({ now: (await clock.advance(ms)).toISOString() });
}
