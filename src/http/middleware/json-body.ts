import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../domain/errors.ts';
import type { HubEnv } from '../context.ts';

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** Request bodies: at most `maxBytes`, and JSON when there is one (so a form post is 415, not an empty object). */
export function jsonBody(maxBytes: number): MiddlewareHandler<HubEnv>[] {
  return [
    bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw new AppError('payload_too_large', `request body exceeds ${maxBytes} bytes`);
      },
    }),
    async (c, next) => {
      const method = c.req.method;
      if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
        const type = c.req.header('content-type');
        const length = c.req.header('content-length');
        const hasBody = type !== undefined || (length !== undefined && length !== '0');
        if (hasBody && !JSON_TYPE.test(type ?? '')) {
          throw new AppError('unsupported_media_type', 'send the body as application/json');
        }
      }
      await next();
    },
  ];
}
