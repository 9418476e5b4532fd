import { Agent, request } from 'node:http';
import { connect } from 'node:net';

/** A request as it goes on the wire: `target` is the path and query, already encoded (or deliberately not). */
export interface WireRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /**
   * Written byte for byte on a socket of its own instead of through node:http, which refuses to
   * send what Node's server then has to refuse (NUL or a bare LF in a header, a broken request line).
   */
  raw?: Buffer;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 2 });
/** An answer slower than this is a hang, reported as a failure rather than a stuck test. */
const TIMEOUT_MS = 15_000;

/** Closes the keep-alive connections. */
export const closeWire = () => agent.destroy();

/** Sends `req` to the server at `base` (http://host:port). */
export function send(base: string, req: WireRequest): Promise<WireResponse> {
  return req.raw ? sendRaw(base, req.raw) : sendHttp(base, req);
}

function sendHttp(base: string, req: WireRequest): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) };
    const r = request(`${base}${req.target}`, { method: req.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flat(res.headers), body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.setTimeout(TIMEOUT_MS, () => r.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    r.end(req.body);
  });
}

function flat(h: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v as string)]));
}

/** Writes raw bytes and reads the answer until the server closes (raw requests ask it to). */
function sendRaw(base: string, raw: Buffer): Promise<WireResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    socket.end(raw);
  });
}

/** Parses one HTTP/1.1 response (Content-Length or chunked body). */
export function parseResponse(bytes: Buffer): WireResponse {
  const split = bytes.indexOf('\r\n\r\n');
  if (split === -1) throw new Error(`no HTTP response: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
  const [statusLine = '', ...lines] = bytes.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) throw new Error(`bad status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = bytes.subarray(split + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status, headers, body: body.toString('utf8') };
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', at);
    if (eol === -1) break;
    const size = parseInt(b.subarray(at, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
