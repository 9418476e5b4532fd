import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { registerAssets } from './assets.ts';
import { LANG_COOKIE } from './cookies.ts';
import { CSRF_FIELD, sameOrigin, tokenMatches } from './csrf.ts';
import type { ConsoleEnv, ConsoleOptions } from './env.ts';
import { takeFlash } from './flash.ts';
import { langOf, translator } from './i18n/index.ts';
import { forbiddenPage } from './responses.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerBoardRoutes } from './routes/board.ts';
import { registerMallRoutes } from './routes/malls.ts';
import { registerOperationRoutes } from './routes/operations.ts';
import { registerOrderRoutes } from './routes/orders.ts';
import { registerTicketRoutes } from './routes/tickets.ts';
import { securityHeaders } from './security-headers.ts';
import { requireSession } from './session.ts';

export type { ConsoleOptions };

/**
 * The support console, mounted by the hub at /console (src/app.ts): server-rendered pages for
 * agents and admins that read and act through the hub's admin HTTP API and nothing else. In
 * order: security headers on everything, the assets, the language, the pages that need no session
 * (sign-in, sign-out, the language toggle), then the session and the CSRF check, then the pages.
 */
export function createConsole(opts: ConsoleOptions): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.use('*', securityHeaders());
  registerAssets(app);
  app.use('*', async (c, next) => {
    const lang = langOf(getCookie(c, LANG_COOKIE));
    c.set('lang', lang);
    c.set('t', translator(lang));
    c.set('flash', c.req.method === 'GET' ? takeFlash(c) : null);
    await next();
  });
  // Forms are small; nothing the console posts comes near this.
  app.use('*', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('payload too large', 413) }));
  registerAuthRoutes(app, opts);

  app.use('*', requireSession(opts));
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    // `all`: repeated fields (checkboxes) stay lists for the handlers, which read the same parsed body.
    const body = await c.req.parseBody({ all: true });
    const field = body[CSRF_FIELD];
    const given = typeof field === 'string' ? field : c.req.header('x-csrf-token');
    if (!sameOrigin(c, opts.publicUrl) || !tokenMatches(c.get('signed').csrf, given)) return forbiddenPage(c);
    return next();
  });
  registerTicketRoutes(app, opts);
  registerOrderRoutes(app);
  registerOperationRoutes(app);
  registerMallRoutes(app);
  registerBoardRoutes(app);
  return app;
}
