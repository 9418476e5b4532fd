import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Queue } from 'bullmq';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { QUEUES_COOKIE } from '../console/cookies.ts';
import { sameOrigin } from '../console/csrf.ts';
import { AppError, forbidden, unauthorized } from '../domain/errors.ts';
import { queues } from '../queues/registry.ts';
import type { HubApp } from './app-type.ts';
import type { HubEnv } from './context.ts';

/*
 * The queue dashboard at /admin/queues: bull-board over every queue of src/queues/registry.ts, on
 * the hub's Redis connection and key prefix. Admins only: a staff bearer of role admin, or (for a
 * browser) the admin's console session, which the console's sign-in also sets as a cookie for
 * this path. A state change (retry, clean, pause) made with the cookie must come from the hub's
 * own origin; the cookie is SameSite=Strict as well.
 *
 * Mounted before the /admin/* middleware of src/app.ts (JSON bodies, bearer-only staff auth): it
 * authenticates itself and answers every /admin/queues request, so that middleware never sees one.
 */

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

function bearer(header: string | undefined): string | null {
  return header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1] ?? null;
}

const wantsHtml = (c: Context) => (c.req.header('accept') ?? '').includes('text/html');

function adminOnly(): MiddlewareHandler<HubEnv> {
  return async (c, next) => {
    const fromHeader = bearer(c.req.header('authorization'));
    const secret = fromHeader ?? getCookie(c, QUEUES_COOKIE);
    if (!secret) {
      if (wantsHtml(c)) return c.redirect('/console/sign-in', 303);
      throw unauthorized('send an admin staff token as "Authorization: Bearer <token>", or sign in to the console as an admin');
    }
    const verified = await c.get('deps').credentials.verify(c.get('em'), secret);
    if (verified?.principal.kind !== 'staff') {
      if (!fromHeader && wantsHtml(c)) return c.redirect('/console/sign-in', 303);
      throw unauthorized('invalid staff token or session');
    }
    if (verified.principal.role !== 'admin') throw forbidden('the queue dashboard needs the admin role');
    const safe = c.req.method === 'GET' || c.req.method === 'HEAD';
    if (!fromHeader && !safe && !sameOrigin(c, c.get('deps').config.publicUrl)) throw new AppError('forbidden', 'a change through the dashboard must come from the hub’s own pages');
    c.set('principal', verified.principal);
    await next();
  };
}

/** bull-board over the hub's queues, built on first use (opening queues touches Redis; the OpenAPI script starts none). */
function dashboard(c: Context<HubEnv>): Hono {
  const deps = c.get('deps');
  const adapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_DASHBOARD_PATH);
  const opened = Object.values(queues).map((q) => {
    const queue = new Queue(q.name, { connection: deps.redis, prefix: deps.config.redisPrefix });
    // Outages are reported by the shared connection and by /readyz.
    queue.on('error', () => undefined);
    return new BullMQAdapter(queue);
  });
  createBullBoard({ queues: opened, serverAdapter: adapter, options: { uiConfig: { boardTitle: 'redemption-hub' } } });
  return new Hono().route(QUEUE_DASHBOARD_PATH, adapter.registerPlugin());
}

/** GET/POST/PUT … /admin/queues[/*]: the dashboard, admins only. */
export function registerQueueDashboard(app: HubApp): void {
  let board: Hono | undefined;
  const serve = (c: Context<HubEnv>) => {
    board ??= dashboard(c);
    return board.fetch(c.req.raw, c.env);
  };
  for (const path of [QUEUE_DASHBOARD_PATH, `${QUEUE_DASHBOARD_PATH}/*`]) {
    app.use(path, adminOnly());
    app.all(path, serve);
  }
}
