import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got, with what the mall would check. */
export interface Received {
  id: string;
  body: string;
  headers: IncomingHttpHeaders;
  /** Which of the receiver's secrets verified it (standardwebhooks library, not the hub's code). */
  verifiedBy: string[];
  answered: number;
  json: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

/** A mall's webhook endpoint on loopback: answers by a rule, verifies every request with `standardwebhooks`. */
export async function startReceiver() {
  const received: Received[] = [];
  const seen = new Map<string, number>();
  const state = {
    secrets: [] as string[],
    /** Status for the n-th request (1-based) with this webhook-id. */
    answer: (_id: string, _n: number): number => 200,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      };
      const verifiedBy = state.secrets.filter((s) => {
        try {
          new Webhook(s).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      const status = verifiedBy.length ? state.answer(id, n) : 401;
      received.push({ id, body, headers: req.headers, verifiedBy, answered: status, json: JSON.parse(body) as Received['json'] });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : `status ${status} `.repeat(100));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    state,
    /** Requests answered 2xx, one per webhook id (the last). */
    delivered(): Map<string, Received> {
      return new Map(received.filter((r) => r.answered >= 200 && r.answered < 300).map((r) => [r.id, r]));
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Waits until `check` holds, polling; fails after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
