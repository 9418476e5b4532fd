import { Hono } from 'hono';
import { z } from 'zod';
import { changedSince, skuChanges, supplierSkuIdOf } from '../../../fixtures/catalog/index.ts';
import { JD_MESSAGE as MSG } from '../../jd/methods.ts';
import type { SandboxClock } from '../common/clock.ts';
import type { JdState } from './state.ts';

const Injected = z.object({ type: z.number().int().positive(), result: z.record(z.string(), z.unknown()).default({}) });

/**
 * JD-only control routes (not part of JD's API), mounted under /sandbox:
 *   POST /catalog/revise  moves the catalog one revision on and fills the pool the way JD reports
 *                         it: type 2 for each price change, type 4 for each on/off-shelf flip
 *                         (stock changes have no message: JD is asked live);
 *   POST /messages        puts one message of any type in the pool ({type, result}), for the types
 *                         the sandbox never produces by itself (6 pool, 14 payment failed, 16 product);
 *   GET  /messages        what the pool holds now (JD has no webhooks: the hub reads and deletes
 *                         these), with the sandbox time each becomes visible.
 */
export function jdControlRoutes(state: JdState, catalog: { seed: number; size: number }, clock: SandboxClock): Hono {
  const app = new Hono();
  app.post('/catalog/revise', (c) => {
    const from = state.revision++;
    const changed = changedSince('jd', from, state.revision, catalog);
    const now = clock.now();
    let messages = 0;
    for (const index of changed) {
      const skuId = Number(supplierSkuIdOf('jd', index, catalog));
      const { price, shelf } = skuChanges('jd', index, from, state.revision, catalog);
      if (price) state.post(MSG.PRICE, { skuId }, now);
      if (shelf) state.post(MSG.LISTING, { skuId, state: state.sku(String(skuId))?.onShelf ? 1 : 0 }, now);
      messages += Number(price) + Number(shelf);
    }
    return c.json({ revision: state.revision, changed: changed.length, messages });
  });
  app.get('/messages', (c) => c.json({ pending: state.pool.length, messages: state.pool.map(({ visibleAtMs, ...m }) => ({ ...m, visibleAt: new Date(visibleAtMs).toISOString() })) }));
  app.post('/messages', async (c) => {
    const parsed = Injected.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: { type: 'invalid_message', message: parsed.error.message } }, 400);
    state.post(parsed.data.type, parsed.data.result, clock.now());
    return c.json({ posted: true });
  });
  return app;
}
