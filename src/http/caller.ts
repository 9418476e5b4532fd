import type { Context } from 'hono';
import type { HubEnv } from './context.ts';

/** The calling mall's id on `/v1/*` routes (mallAuth guarantees a mall principal there). */
export function callerMallId(c: Context<HubEnv>): string {
  const p = c.get('principal');
  return p.kind === 'mall' ? p.mallId : '';
}
