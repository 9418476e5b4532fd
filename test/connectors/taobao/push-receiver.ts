import { Hono } from 'hono';
import { serveOnLoopback } from '../../../connectors/sandbox/common/serve.ts';

/** One push as the stand-in hub received it. */
export interface ReceivedPush {
  rawBody: string;
  /** When it arrived, on the clock the receiver was given (the hub verifies freshness against it). */
  receivedAt: Date;
  body: { topic: string; content: string; msg_id: string; pub_time: string; sign: string };
}

/** A stand-in for the hub's `/webhooks/taobao`: stores each push and answers `{"success": true}` (or fails the next N). */
export async function startPushReceiver(now: () => Date = () => new Date()): Promise<{ url: string; pushes: ReceivedPush[]; failNext: (n: number) => void; close: () => Promise<void> }> {
  const pushes: ReceivedPush[] = [];
  let failing = 0;
  const app = new Hono();
  app.post('/webhooks/taobao', async (c) => {
    const rawBody = await c.req.text();
    if (failing > 0) {
      failing--;
      return c.json({ success: false }, 500);
    }
    pushes.push({ rawBody, receivedAt: now(), body: JSON.parse(rawBody) as ReceivedPush['body'] });
    return c.json({ success: true });
  });
  const server = await serveOnLoopback(app);
  return { url: server.url, pushes, failNext: (n) => void (failing = n), close: server.close };
}
