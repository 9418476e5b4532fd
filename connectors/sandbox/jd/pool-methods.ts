import type { Context } from 'hono';
import { JD_METHODS as M } from '../../jd/methods.ts';
import { ok } from './envelope.ts';
import type { JdState } from './state.ts';

/** biz.message.get (`type`: comma-separated types, up to 100 messages) and biz.message.del (`id`: comma-separated ids). */
export function poolMethod(c: Context, method: string, p: Record<string, unknown>, state: JdState, now: Date): Response | undefined {
  const list = (v: unknown) => String(v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (method === M.messages) return ok(c, method, state.messages(new Set(list(p.type).map(Number)), now));
  if (method === M.deleteMessages) {
    state.deleteMessages(new Set(list(p.id)));
    return ok(c, method, true);
  }
  return undefined;
}
