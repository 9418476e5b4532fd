import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../domain/errors.ts';
import type { HubEnv } from '../context.ts';

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

const tooLarge = (maxBytes: number) => new AppError('payload_too_large', `request body exceeds ${maxBytes} bytes`);
// JSON is UTF-8 (RFC 8259, and the contract): decoding other bytes would silently turn them into
// U+FFFD and store a corrupted name or address, so such a body is refused as not JSON.
const notUtf8 = () => new AppError('invalid_json', 'request body is not valid UTF-8');

/**
 * The body of a Node request, or null once it exceeds `maxBytes` (the rest is left to drain; the
 * connection stays usable for the 413).
 */
function readNodeBody(incoming: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        done();
        incoming.resume();
        resolve(null);
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
  });
}

/** Request bodies: at most `maxBytes`, and JSON when there is one (so a form post is 415, not an empty object). */
export function jsonBody(maxBytes: number): MiddlewareHandler<HubEnv>[] {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge(maxBytes);
    },
  });
  return [
    async (c, next) => {
      const method = c.req.method;
      const writes = method === 'POST' || method === 'PUT' || method === 'PATCH';
      const type = c.req.header('content-type');
      const length = c.req.header('content-length');
      if (writes && (type !== undefined || (length !== undefined && length !== '0')) && !JSON_TYPE.test(type ?? '')) {
        throw new AppError('unsupported_media_type', 'send the body as application/json');
      }
      // Served by Node (@hono/node-server): read the body straight from the socket's stream and hand
      // it to c.req.json() through Hono's body cache. Reaching it through c.req.raw builds a Fetch
      // Request and a web stream per request: profiled at 1 000 orders/s, that was 7 % of the
      // API's CPU. Elsewhere (app.request in tests, other runtimes) Hono's own limit applies.
      const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
      if (!incoming || incoming.readableEnded || incoming.destroyed) {
        return limit(c, async () => {
          // Read once here (Hono caches it for c.req.json()) to refuse bytes that are not UTF-8.
          if (writes && !isUtf8(await c.req.arrayBuffer())) throw notUtf8();
          await next();
        });
      }
      if (length !== undefined && Number(length) > maxBytes) throw tooLarge(maxBytes);
      // A body on a GET or DELETE is not read by any route: Node discards it after the answer.
      if (!writes) return next();
      const body = await readNodeBody(incoming, maxBytes);
      if (body === null) throw tooLarge(maxBytes);
      if (!isUtf8(body)) throw notUtf8();
      c.req.bodyCache.text = Promise.resolve(body.toString('utf8')) as never;
      await next();
    },
  ];
}
