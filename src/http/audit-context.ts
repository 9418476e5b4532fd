import type { Context } from 'hono';
import { type ActorType, actorOf } from '../domain/principal.ts';
import type { HubEnv } from './context.ts';

/** Who is acting in this request and under which request id, for audit entries. */
export function auditContext(c: Context<HubEnv>): { actor: { actorType: ActorType; actorId: string }; requestId: string } {
  return { actor: actorOf(c.get('principal')), requestId: c.get('requestId') };
}
