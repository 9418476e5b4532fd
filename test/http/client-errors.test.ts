import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../src/roles/api.ts';
import { deadPort } from '../fuzz/net-faults.ts';
import { parseResponse, type WireResponse } from '../fuzz/wire.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let stop: () => Promise<void>;
let base: string;
beforeAll(async () => {
  const port = await deadPort();
  hub = await startTestHub({ env: { HUB_HOST: '127.0.0.1', HUB_PORT: String(port) } });
  // The API as `hub api` runs it: Node's own refusals happen in the server startApi builds.
  stop = await startApi(hub.deps);
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await stop();
  await hub.close();
});

/** Writes `raw` on a fresh connection and reads the answer until the server closes it. */
function rawRequest(raw: string | Buffer): Promise<WireResponse> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks))));
    socket.end(raw);
  });
}

function expectContractBody(res: { status: number; body: string; headers: Record<string, string> }, status: number, code: string, message: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const body = JSON.parse(res.body) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(message);
}

describe('requests Node refuses before the app', () => {
  it('answers a 20 KB URL with 431 and the contract error body', async () => {
    const res = await fetch(`${base}/v1/orders/${'x'.repeat(20_000)}`);
    const headers = Object.fromEntries(res.headers);
    expectContractBody({ status: res.status, body: await res.text(), headers }, 431, 'validation_failed', /request line and headers .* exceed 16384 bytes/);
  });

  it('answers headers over the limit with 431 and the contract error body', async () => {
    const res = await rawRequest(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`);
    expectContractBody(res, 431, 'validation_failed', /exceed/);
  });

  it('answers malformed HTTP (a NUL in a header, a broken request line, a bad chunk) with 400 and the contract error body', async () => {
    for (const raw of [
      'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0000b\r\n\r\n',
      'GET /healthz HTTP/9.9.9\r\n\r\n',
      'G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /admin/malls HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ]) {
      expectContractBody(await rawRequest(raw), 400, 'validation_failed', /malformed HTTP request/);
    }
  });

  it('answers a URL with raw Chinese (a search typed as is) with 400 saying how to encode it', async () => {
    const res = await rawRequest(Buffer.from('GET /v1/catalog/items?q=冰箱 HTTP/1.1\r\nHost: x\r\n\r\n', 'utf8'));
    expectContractBody(res, 400, 'validation_failed', /percent-encode them as UTF-8 \(q=冰箱 is q=%E5%86%B0%E7%AE%B1/);
    expect(JSON.parse(res.body).error.details.fields[0]).toMatchObject({ path: 'url', code: 'malformed_url' });
    // The encoded form the message gives reaches the API (401 here: no key was sent).
    expect((await fetch(`${base}/v1/catalog/items?q=%E5%86%B0%E7%AE%B1`)).status).toBe(401);
  });

  it('keeps serving after refusing', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(hub.logs.lines.filter((l) => l.includes('refused a request Node could not parse')).length).toBeGreaterThanOrEqual(7);
  });
});
