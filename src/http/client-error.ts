import { randomUUID } from 'node:crypto';
import { maxHeaderSize, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../domain/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { ErrorBody } from './errors.ts';

/** The answer to a request Node refused before the app saw it. */
export interface ClientErrorAnswer {
  status: number;
  reason: string;
  body: ErrorBody;
}

const answer = (status: number, reason: string, code: ErrorCode, message: string, field?: { path: string; code: string }): ClientErrorAnswer => ({
  status,
  reason,
  body: { error: { code, message, ...(field ? { details: { fields: [{ path: field.path, message, code: field.code }] } } : {}) } },
});

/**
 * Node's own answers (see socketOnError in node:http), with the contract's body. The codes are
 * the contract's fixed ones: malls switch on them, and a request line or header too large is a
 * request that failed validation, whatever status HTTP gives it.
 */
export function clientErrorAnswer(code: string | undefined): ClientErrorAnswer {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return answer(431, 'Request Header Fields Too Large', 'validation_failed', `the request line and headers (the URL included) exceed ${maxHeaderSize} bytes`, { path: 'headers', code: 'too_large' });
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return answer(413, 'Payload Too Large', 'payload_too_large', 'chunk extensions are too large');
    case 'HPE_INVALID_URL':
      // Most often a search typed as is (curl "…/v1/catalog/items?q=冰箱"): the bytes of 冰箱 are
      // not allowed in a request line, so the request never reaches the API. Say how to send it.
      return answer(400, 'Bad Request', 'validation_failed',
        'the URL holds characters a URL cannot carry as they are: percent-encode them as UTF-8 (q=冰箱 is q=%E5%86%B0%E7%AE%B1; with curl: -G --data-urlencode "q=冰箱")',
        { path: 'url', code: 'malformed_url' });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return answer(408, 'Request Timeout', 'validation_failed', 'the request was not received completely in time');
    default:
      return answer(400, 'Bad Request', 'validation_failed', 'malformed HTTP request', { path: 'request', code: 'malformed_http' });
  }
}

/** How long a refused client may go on sending what nobody will read before its connection is closed. */
const DRAIN_MS = 5_000;

/**
 * Answers requests Node's HTTP parser refuses (a URL or headers over the limit, malformed HTTP, a
 * request that never finished) with the contract's error body instead of a bare status line.
 */
export function answerClientErrors(server: Server, logger: Logger): void {
  // The parser stays in error and reports again on every chunk that follows: answer once.
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (answered.has(socket)) return;
    // As Node does: answer only when nothing of a response was written on this socket yet.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    const { status, reason, body } = clientErrorAnswer(err.code);
    const json = JSON.stringify(body);
    const requestId = randomUUID();
    // The raw request is never logged: it may hold credentials.
    logger.info({ code: err.code, status, requestId }, 'refused a request Node could not parse');
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${json}`,
    );
    // What the client still sends (the rest of a huge URL, a body) is read and dropped until it
    // is done: closing with unread bytes resets the connection, and a reset can discard the
    // answer before the client reads it. A client that never stops is cut off after DRAIN_MS.
    socket.resume();
    const cutOff = setTimeout(() => socket.destroy(), DRAIN_MS).unref();
    socket.once('end', () => socket.destroy());
    socket.once('close', () => clearTimeout(cutOff));
  });
}
