import { OpenAPIHono } from '@hono/zod-openapi';
import type { HubDeps, HubEnv } from './http/context.ts';
import { errorResponse, toAppError, validationHook } from './http/errors.ts';
import { mallAuth, staffAuth } from './http/middleware/auth.ts';
import { jsonBody } from './http/middleware/json-body.ts';
import { methodNotAllowed } from './http/middleware/method-not-allowed.ts';
import { requestContext } from './http/middleware/request-context.ts';
import { storableRawBody } from './http/middleware/storable-raw-body.ts';
import { wellFormedUrl } from './http/middleware/well-formed-url.ts';
import { DependencyUnavailableError } from './http/dependency-failure.ts';
import { UnstorableInputError } from './http/storable-input.ts';
import { registerAdminRoutes } from './http/routes/admin/index.ts';
import { registerMallRoutes } from './http/routes/mall/index.ts';
import { registerDocs } from './http/routes/ops/docs.ts';
import { registerOpenApiDocument } from './http/routes/ops/get-openapi.ts';
import { applyOpenApiConventions } from './http/openapi-conventions.ts';
import { registerOpsRoutes } from './http/routes/ops/index.ts';
import { registerSupplierWebhookRoutes } from './http/routes/supplier-webhooks/index.ts';
import { AppError } from './domain/errors.ts';
import { createConsole } from './console/index.ts';
import { registerQueueDashboard } from './http/queue-dashboard.ts';

/** Builds the hub's HTTP application: middleware, every route, error mapping and the OpenAPI document. */
export function createApp(deps: HubDeps): OpenAPIHono<HubEnv> {
  const app = new OpenAPIHono<HubEnv>({ defaultHook: validationHook });

  app.use('*', requestContext(deps));
  app.use('*', wellFormedUrl());
  // A known path with a method it does not serve: 405 with Allow, before auth and body parsing.
  app.use('*', methodNotAllowed(app));
  // Before the /admin/* middleware: the queue dashboard authenticates itself (bearer or console cookie).
  registerQueueDashboard(app);
  for (const area of ['/v1/*', '/admin/*'] as const) app.use(area, ...jsonBody(deps.config.bodyLimitBytes));
  app.use('/webhooks/*', storableRawBody(deps.config.bodyLimitBytes));
  app.use('/v1/*', mallAuth());
  app.use('/admin/*', staffAuth());

  registerOpsRoutes(app);
  registerDocs(app);
  registerMallRoutes(app);
  registerAdminRoutes(app);
  registerSupplierWebhookRoutes(app);
  // The support console: pages that call this app's own admin API, in-process, with the signed-in session.
  app.route('/console', createConsole({ fetch: (path, init) => app.request(path, init), now: () => deps.clock.now(), csrfKey: deps.config.tokenPepper, publicUrl: deps.config.publicUrl, sessionMs: deps.config.consoleSessionMs }));
  registerOpenApiDocument(app, deps.config.publicUrl);
  // What the middleware above adds to every route of its area, in the document (after every route).
  applyOpenApiConventions(app);

  app.notFound((c) => errorResponse(c, new AppError('not_found', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => {
    const appErr = toAppError(err);
    const logger = c.get('logger') ?? deps.logger;
    if (appErr.code === 'internal_error') logger.error({ err }, 'unhandled error');
    // What is down and why (an error code or SQLSTATE), not the error: its message can quote SQL and its parameters.
    else if (appErr instanceof DependencyUnavailableError) logger.warn(appErr.failure, 'dependency unavailable; answered 503');
    else if (appErr instanceof UnstorableInputError) logger.warn({ sqlState: appErr.sqlState }, 'input the edge checks missed reached PostgreSQL; answered 400');
    return errorResponse(c, appErr);
  });
  return app;
}
