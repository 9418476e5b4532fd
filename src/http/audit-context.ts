import type { Context } from 'hono';
import { actorOf } from '../domain/principal.ts';
import type { HubEnv } from './context.ts';

/** Who is acting in this request and under which request id, for audit entries. */
export function auditContext(c: Context<HubEnv>): { actor: { actorType: string; actorId: string }; requestId: string } {
  return { actor: actorOf(c.get('principal')), requestId: c.get('requestId') };
}
