import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';

/** One webhook delivery as the demo mall received it. */
export interface ReceivedWebhook {
  receivedAt: string;
  headers: Record<string, string>;
  body: string;
}

/** What a recording receiver remembers of one event (`webhook-id`), however often it came. */
export interface ReceivedEvent {
  id: string;
  /** Deliveries of this id answered 2xx (a retried or replayed event counts each time). */
  count: number;
  type: string | null;
  orderId: string | null;
  seq: number | null;
  firstAt: string;
  lastAt: string;
}

/**
 * How one named endpoint behaves (`PUT /mall-receiver/{name}/config`): `failWith` answers every
 * delivery with that status (an endpoint that is down) until set back to null; `record` keeps one
 * entry per event id with its count, for `GET /mall-receiver/{name}/events`, with no cap (the last
 * 500 deliveries of `GET /mall-receiver/{name}` are not enough to prove every event arrived);
 * `secret` (`whsec_…`) checks each delivery's Standard Webhooks signature and counts the bad ones.
 */
const ConfigPatch = z
  .object({
    failWith: z.number().int().min(400).max(599).nullable().optional(),
    record: z.boolean().optional(),
    secret: z.string().startsWith('whsec_').nullable().optional(),
  })
  .strict();
interface ReceiverConfig {
  failWith: number | null;
  record: boolean;
  secret: string | null;
}
const DEFAULT_CONFIG: ReceiverConfig = { failWith: null, record: false, secret: null };

/** One endpoint's state: its configuration, the last deliveries, and (recording) every event id. */
interface Endpoint {
  config: ReceiverConfig;
  recent: ReceivedWebhook[];
  events: Map<string, ReceivedEvent>;
  accepted: number;
  refused: number;
  badSignatures: number;
}

const RECENT = 500;

/**
 * A stand-in for a mall's webhook endpoint, so `npm start` has somewhere to deliver events and a
 * newcomer can see them (`GET /mall-receiver/{name}`: the last 500 deliveries, in memory). Test
 * runs configure a name to fail (an outage of the mall), to record every event id with its count,
 * and to check signatures.
 */
export function mallReceiver(): Hono {
  const endpoints = new Map<string, Endpoint>();
  const endpoint = (name: string): Endpoint => {
    let e = endpoints.get(name);
    if (!e) endpoints.set(name, (e = { config: { ...DEFAULT_CONFIG }, recent: [], events: new Map(), accepted: 0, refused: 0, badSignatures: 0 }));
    return e;
  };
  const app = new Hono();
  app.post('/:name', async (c) => {
    const e = endpoint(c.req.param('name'));
    const body = await c.req.text();
    if (e.config.failWith !== null) {
      e.refused++;
      return c.json({ error: 'the mall endpoint is down (sandbox fault)' }, e.config.failWith as 500);
    }
    const headers: Record<string, string> = {};
    for (const h of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type']) {
      const v = c.req.header(h);
      if (v) headers[h] = v;
    }
    const now = new Date().toISOString();
    e.accepted++;
    e.recent.push({ receivedAt: now, headers, body });
    if (e.recent.length > RECENT) e.recent.shift();
    if (e.config.secret && !signatureValid(e.config.secret, headers, body)) e.badSignatures++;
    if (e.config.record) record(e.events, headers['webhook-id'] ?? '', body, now);
    return c.body(null, 204);
  });
  app.get('/:name', (c) => c.json({ items: endpoints.get(c.req.param('name'))?.recent ?? [] }));
  // The secret is not echoed back: only whether one is set.
  const shown = (cfg: ReceiverConfig) => ({ ...cfg, secret: cfg.secret ? 'set' : null });
  app.get('/:name/config', (c) => c.json(shown(endpoint(c.req.param('name')).config)));
  app.put('/:name/config', async (c) => {
    // Only the fields given change: `{"failWith": null}` brings the endpoint back, recording stays on.
    const parsed = ConfigPatch.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json({ error: { type: 'invalid_config', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } }, 400);
    const e = endpoint(c.req.param('name'));
    e.config = { ...e.config, ...Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) };
    return c.json(shown(e.config));
  });
  app.get('/:name/events', (c) => {
    const e = endpoints.get(c.req.param('name'));
    return c.json({
      accepted: e?.accepted ?? 0,
      refused: e?.refused ?? 0,
      badSignatures: e?.badSignatures ?? 0,
      recording: e?.config.record ?? false,
      events: [...(e?.events.values() ?? [])],
    });
  });
  return app;
}

/** Counts a delivery under its event id, with the order and seq the body names. */
function record(events: Map<string, ReceivedEvent>, id: string, body: string, at: string): void {
  const seen = events.get(id);
  if (seen) {
    seen.count++;
    seen.lastAt = at;
    return;
  }
  // Order events carry the order and its per-order seq in `data` (`{id, type, createdAt, data}`).
  let parsed: { type?: unknown; data?: { orderId?: unknown; seq?: unknown } } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // Not JSON: counted under its id all the same.
  }
  events.set(id, {
    id,
    count: 1,
    type: typeof parsed.type === 'string' ? parsed.type : null,
    orderId: typeof parsed.data?.orderId === 'string' ? parsed.data.orderId : null,
    seq: typeof parsed.data?.seq === 'number' ? parsed.data.seq : null,
    firstAt: at,
    lastAt: at,
  });
}

/** Standard Webhooks: any `v1,<base64>` of the header is HMAC-SHA256(key, `id.timestamp.body`). */
function signatureValid(secret: string, headers: Record<string, string>, body: string): boolean {
  const { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': sig } = headers;
  if (!id || !ts || !sig) return false;
  const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${ts}.${body}`).digest();
  return sig.split(' ').some((part) => {
    const [version, b64] = part.split(',');
    const given = Buffer.from(b64 ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}
