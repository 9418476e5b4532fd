import { type Context, Hono } from 'hono';
import type { z } from 'zod';
import { CreateOrder, CreateReturn } from '../../brand/wire.ts';
import type { SandboxClock } from '../common/clock.ts';
import type { Faults } from '../common/faults.ts';
import { brandError, idempotency } from './guard.ts';
import type { BrandOrders, Outcome } from './orders.ts';
import type { BrandState } from './state.ts';

/** Reads a JSON body against a schema, or gives the 400 answer when it does not fit. */
async function bodyOf<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S> | Response> {
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch {
    return brandError(c, 400, 'invalid_request', 'The body is not JSON');
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : brandError(c, 400, 'invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
}

function answer<T>(c: Context, outcome: Outcome<T>): Response {
  return outcome.ok ? c.json(outcome.value as object, outcome.status) : c.json({ error: outcome.refusal.error }, outcome.refusal.status);
}

/** `/v1/orders…` and `/v1/returns…`: every POST behind the Idempotency-Key middleware. */
export function orderRoutes(opts: { orders: BrandOrders; state: BrandState; faults: Faults; clock: SandboxClock }): Hono {
  const { orders, clock } = opts;
  const app = new Hono();
  const keyed = idempotency(opts);

  app.post('/orders', keyed, async (c) => {
    const body = await bodyOf(c, CreateOrder);
    return body instanceof Response ? body : answer(c, orders.create(body, clock.now()));
  });

  app.get('/orders', (c) => {
    const reference = c.req.query('clientReference');
    if (!reference) return brandError(c, 400, 'invalid_request', 'clientReference is required');
    const order = orders.findByReference(reference);
    return c.json({ data: order ? [order] : [] });
  });

  app.get('/orders/:id', (c) => {
    const order = orders.get(c.req.param('id'));
    return order ? c.json(order) : brandError(c, 404, 'not_found', `no order ${c.req.param('id')}`);
  });

  app.post('/orders/:id/cancel', keyed, async (c) => {
    const text = await c.req.text();
    const reason = (() => {
      try {
        const r = (JSON.parse(text || '{}') as { reason?: unknown }).reason;
        return typeof r === 'string' && r ? r : 'cancelled by the customer';
      } catch {
        return 'cancelled by the customer';
      }
    })();
    return answer(c, orders.cancel(c.req.param('id'), reason, clock.now()));
  });

  app.post('/returns', keyed, async (c) => {
    const body = await bodyOf(c, CreateReturn);
    return body instanceof Response ? body : answer(c, orders.createReturn(body, clock.now()));
  });

  app.get('/returns/:id', (c) => {
    const ret = opts.state.returns.get(c.req.param('id'));
    return ret ? c.json(ret) : brandError(c, 404, 'not_found', `no return ${c.req.param('id')}`);
  });

  return app;
}
