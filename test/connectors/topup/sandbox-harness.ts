import { Hono } from 'hono';
import { SandboxClock } from '../../../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../../../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../../../connectors/sandbox/common/serve.ts';
import { createTopupSandbox, type TopupSandbox, type TopupSandboxOptions } from '../../../connectors/sandbox/topup/index.ts';
import { formatUtc8Timestamp } from '../../../connectors/shared/timestamp.ts';
import type { InboundMessage, WebhookInbound } from '../../../connectors/connector.ts';
import { TopupConnector } from '../../../connectors/topup/index.ts';
import { topupInbound } from '../../../connectors/topup/inbound.ts';
import { signTopup } from '../../../connectors/topup/sign.ts';
import { testResilience } from './conformance-target.ts';

/** A hub stand-in: verifies each callback with the connector's inbound, stores it, answers the ack (after `failFirst` refusals). */
export interface Receiver {
  url: string;
  /** Raw bodies as posted, including refused and rejected ones. */
  posts: { provider: string; rawBody: string }[];
  /** Verified messages the hub would store. */
  stored: InboundMessage[];
  failFirst: number;
  close(): Promise<void>;
}

/** Starts a receiver at `/webhooks/topup/:provider` that verifies with `inbound`. */
export async function startReceiver(inbound: WebhookInbound, now: () => Date): Promise<Receiver> {
  const app = new Hono();
  const receiver: Receiver = { url: '', posts: [], stored: [], failFirst: 0, close: async () => undefined };
  app.post('/webhooks/topup/:provider', async (c) => {
    const rawBody = await c.req.text();
    receiver.posts.push({ provider: c.req.param('provider'), rawBody });
    if (receiver.failFirst > 0) {
      receiver.failFirst--;
      return c.text('fail');
    }
    try {
      receiver.stored.push(inbound.verify({ headers: {}, rawBody }, now()));
    } catch {
      return c.text('bad signature', 401);
    }
    return c.body(inbound.ack.body, inbound.ack.status as 200, { 'content-type': inbound.ack.contentType });
  });
  const server = await serveOnLoopback(app);
  return Object.assign(receiver, { url: server.url, close: server.close });
}

/** A sandbox on loopback with its connector and a receiver for its callbacks; result delay 30 s of virtual time. */
export interface Harness {
  clock: SandboxClock;
  sandbox: TopupSandbox;
  connector: TopupConnector;
  receiver: Receiver;
  url: string;
  /** Posts a raw signed request (or one signed with `secret`), for wire-level assertions. */
  raw(method: string, biz: Record<string, unknown>, secret?: string): Promise<{ code: string; message: string; data: unknown }>;
  stop(): Promise<void>;
}

export const APP_KEY = 'sandbox-app';
export const APP_SECRET = 'sandbox-secret';

/** Starts a harness for one provider; options go to the sandbox factory. */
export async function startHarness(opts: Partial<TopupSandboxOptions> = {}, timeoutMs = 300): Promise<Harness> {
  const clock = new SandboxClock();
  // The hub side verifies callbacks exactly as the connector does.
  // Callbacks are signed with the wall clock (the sandbox clock moves only results), as the hub checks them.
  const receiver = await startReceiver(topupInbound(opts.id ?? 'topup-fulu', APP_SECRET), () => new Date());
  const ctx = { clock, seed: 7, skus: 300, hubUrl: receiver.url, lifecycle: defaultLifecycle };
  const sandbox = createTopupSandbox(ctx, { id: 'topup-fulu', appKey: APP_KEY, appSecret: APP_SECRET, failRate: 0, callbackRetryDelayMs: 1, ...opts });
  const server = await serveOnLoopback(sandbox.app);
  const connector = new TopupConnector({ id: sandbox.id, baseUrl: server.url, credentials: { appKey: APP_KEY, appSecret: APP_SECRET }, timeoutMs, resilience: testResilience });
  return {
    clock,
    sandbox,
    connector,
    receiver,
    url: server.url,
    async raw(method, biz, secret = APP_SECRET) {
      const params: Record<string, string> = { app_key: APP_KEY, method, timestamp: formatUtc8Timestamp(new Date()), version: '2.0', biz_content: JSON.stringify(biz) };
      params.sign = signTopup(params, secret);
      const res = await fetch(`${server.url}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
      return (await res.json()) as { code: string; message: string; data: unknown };
    },
    async stop() {
      await server.close();
      await receiver.close();
    },
  };
}
