import { Hono } from 'hono';

/** One webhook delivery as the demo mall received it. */
export interface ReceivedWebhook {
  receivedAt: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * A stand-in for a mall's webhook endpoint, so `npm start` has somewhere to deliver events and a
 * newcomer can see them (`GET /mall-receiver/{name}`). Keeps the last 500 deliveries in memory.
 */
export function mallReceiver(): Hono {
  const inbox = new Map<string, ReceivedWebhook[]>();
  const app = new Hono();
  app.post('/:name', async (c) => {
    const list = inbox.get(c.req.param('name')) ?? [];
    const headers: Record<string, string> = {};
    for (const h of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type']) {
      const v = c.req.header(h);
      if (v) headers[h] = v;
    }
    list.push({ receivedAt: new Date().toISOString(), headers, body: await c.req.text() });
    if (list.length > 500) list.shift();
    inbox.set(c.req.param('name'), list);
    return c.body(null, 204);
  });
  app.get('/:name', (c) => c.json({ items: inbox.get(c.req.param('name')) ?? [] }));
  return app;
}
