import fc from 'fast-check';
import type { WireRequest } from './wire.ts';

/** Ways to break HTTP/1.1 framing that Node's parser must refuse (or, at worst, read safely). */
export const MALFORMATIONS = [
  'nul-in-header',
  'control-in-header',
  'bare-lf',
  'space-in-header-name',
  'two-content-lengths',
  'chunked-and-length',
  'bad-version',
  'bad-method',
  'obs-fold',
  'bad-chunk-size',
] as const;
export type Malformation = (typeof MALFORMATIONS)[number];
export const malformation = fc.constantFrom(...MALFORMATIONS);

/**
 * The bytes of `req` with one malformation. Every request asks the server to close the connection
 * after answering, and a body always matches its declared length, so no answer is left waiting.
 */
export function rawBytes(req: WireRequest, how: Malformation): Buffer {
  const body = req.body ?? Buffer.alloc(0);
  const method = how === 'bad-method' ? `${req.method[0]} ${req.method.slice(1)}` : req.method;
  const version = how === 'bad-version' ? 'HTTP/1.x' : 'HTTP/1.1';
  const lines = [`${method} ${req.target} ${version}`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [k, v] of Object.entries(req.headers)) lines.push(`${k}: ${v}`);
  let payload = body;
  let framed = false;
  switch (how) {
    case 'nul-in-header':
      lines.push('X-Evil: a\u0000b');
      break;
    case 'control-in-header':
      lines.push('X-Evil: a\u0001\u001bb');
      break;
    case 'space-in-header-name':
      lines.push('X Evil: a');
      break;
    case 'obs-fold':
      lines.push('X-Folded: a', ' continued');
      break;
    case 'two-content-lengths':
      lines.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
      framed = true;
      break;
    case 'chunked-and-length':
      lines.push('Transfer-Encoding: chunked', `Content-Length: ${body.length}`);
      payload = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
      framed = true;
      break;
    case 'bad-chunk-size':
      lines.push('Transfer-Encoding: chunked');
      payload = Buffer.from('zz\r\nhello\r\n0\r\n\r\n');
      framed = true;
      break;
    default:
      break;
  }
  // Whatever was broken above, the body is framed by its length (so a parser that lets the flaw
  // pass reads exactly this request, and none of its body as a next one).
  if (!framed) lines.push(`Content-Length: ${body.length}`);
  const eol = how === 'bare-lf' ? '\n' : '\r\n';
  return Buffer.concat([Buffer.from(lines.join(eol) + eol + eol, 'latin1'), payload]);
}
