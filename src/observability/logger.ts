import { pino, type DestinationStream, type Logger } from 'pino';
import { scrub, scrubString } from './scrub.ts';

export type { Logger };

/**
 * Structured JSON logger. Every record and message passes through `scrub`, so a phone number or
 * key that reaches a log call by mistake is masked before it is written.
 */
export function createLogger(opts: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name ?? 'hub',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (record) => scrub(record) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // Scrub the message strings too (formatters.log only sees the merge object).
          const clean = args.map((a) => (typeof a === 'string' ? scrubString(a) : a)) as Parameters<typeof method>;
          method.apply(this, clean);
        },
      },
      serializers: { err: (e: unknown) => scrub(e) },
    },
    opts.destination,
  );
}
