import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup, webhookAgent } from '../../src/mall-webhooks/http-agent.ts';

const resolver = (table: Record<string, LookupAddress[]>) => (host: string, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => {
  const found = table[host];
  if (found) cb(null, found);
  else cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
};

const look = (allowPrivate: boolean, table: Record<string, LookupAddress[]>, host: string, options: { all?: boolean; family?: number }) =>
  new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) => {
    guardedLookup(allowPrivate, resolver(table))(host, options as never, (err, address, family) => resolve({ err, address, family }));
  });

describe('webhook connections: the DNS lookup they are made with', () => {
  const table = {
    'mall.example.com': [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }],
    'rebound.example.com': [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }],
    'metadata.example.com': [{ address: '169.254.169.254', family: 4 }],
  };

  it('answers a public host as Node asks: all addresses, or the first of a family', async () => {
    expect((await look(false, table, 'mall.example.com', { all: true })).address).toEqual(table['mall.example.com']);
    expect(await look(false, table, 'mall.example.com', {})).toMatchObject({ err: null, address: '93.184.216.34', family: 4 });
    expect(await look(false, table, 'mall.example.com', { family: 6 })).toMatchObject({ err: null, address: '2606:2800:220:1::1', family: 6 });
  });

  it('refuses, outside sandbox mode, a host with any private, loopback or metadata address', async () => {
    for (const host of ['rebound.example.com', 'metadata.example.com']) {
      const { err } = await look(false, table, host, { all: true });
      expect(err?.code, host).toBe('EADDRREFUSED');
    }
    expect((await look(false, table, 'nowhere.example.com', {})).err?.code).toBe('ENOTFOUND');
  });

  it('lets sandbox mode reach private addresses', async () => {
    expect(await look(true, table, 'rebound.example.com', {})).toMatchObject({ err: null, address: '93.184.216.34' });
  });
});

describe('webhook agent', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<unknown>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('keeps connections alive across deliveries to one endpoint', async () => {
    const agent = webhookAgent({ allowPrivate: true, connectionsPerOrigin: 2, connectTimeoutMs: 2_000 });
    try {
      for (let i = 0; i < 20; i++) {
        const res = await agent.request({ origin: `http://127.0.0.1:${port}`, path: '/hook', method: 'POST', body: '{}' });
        await res.body.dump();
        expect(res.statusCode).toBe(204);
      }
      // Twenty requests, at most the two connections the pool may open: not one per request.
      expect(sockets.size).toBeGreaterThan(0);
      expect(sockets.size).toBeLessThanOrEqual(2);
    } finally {
      await agent.close();
    }
  });

  it('outside sandbox mode, does not connect to a name that resolves to loopback', async () => {
    const agent = webhookAgent({ allowPrivate: false, connectionsPerOrigin: 2, connectTimeoutMs: 2_000 });
    const before = sockets.size;
    try {
      // localhost resolves to loopback: the connection is refused before it is made.
      await expect(agent.request({ origin: `http://localhost:${port}`, path: '/hook', method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'EADDRREFUSED' });
      expect(sockets.size).toBe(before);
    } finally {
      await agent.close();
    }
  });
});
