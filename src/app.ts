import { OpenAPIHono } from '@hono/zod-openapi';
import type { HubDeps, HubEnv } from './http/context.ts';
import { errorResponse, errorResponses, toAppError, validationHook } from './http/errors.ts';
import { mallAuth, staffAuth } from './http/middleware/auth.ts';
import { jsonBody } from './http/middleware/json-body.ts';
import { requestContext } from './http/middleware/request-context.ts';
import { storableRawBody } from './http/middleware/storable-raw-body.ts';
import { wellFormedUrl } from './http/middleware/well-formed-url.ts';
import { DependencyUnavailableError } from './http/dependency-failure.ts';
import { UnstorableInputError } from './http/storable-input.ts';
import { registerAdminRoutes } from './http/routes/admin/index.ts';
import { registerMallRoutes } from './http/routes/mall/index.ts';
import { registerDocs } from './http/routes/ops/docs.ts';
import { registerOpsRoutes } from './http/routes/ops/index.ts';
import { registerSupplierWebhookRoutes } from './http/routes/supplier-webhooks/index.ts';
import { AppError } from './domain/errors.ts';

/** Builds the hub's HTTP application: middleware, every route, error mapping and the OpenAPI document. */
export function createApp(deps: HubDeps): OpenAPIHono<HubEnv> {
  const app = new OpenAPIHono<HubEnv>({ defaultHook: validationHook });

  app.use('*', requestContext(deps));
  app.use('*', wellFormedUrl());
  for (const area of ['/v1/*', '/admin/*'] as const) app.use(area, ...jsonBody(deps.config.bodyLimitBytes));
  app.use('/webhooks/*', storableRawBody(deps.config.bodyLimitBytes));
  app.use('/v1/*', mallAuth());
  app.use('/admin/*', staffAuth());

  registerOpsRoutes(app);
  registerDocs(app);
  registerMallRoutes(app);
  registerAdminRoutes(app);
  registerSupplierWebhookRoutes(app);
  // Any route that reaches PostgreSQL, Redis or a supplier answers 503 while it is down
  // (toAppError): every operation but the process probes says so.
  for (const d of app.openAPIRegistry.definitions) {
    if (d.type === 'route' && !d.route.tags?.includes('Operations')) d.route.responses[503] ??= errorResponses(503)[503] as (typeof d.route.responses)[number];
  }

  app.openAPIRegistry.registerComponent('securitySchemes', 'mallApiKey', {
    type: 'http',
    scheme: 'bearer',
    description:
      'The mall API key returned by POST /admin/malls (`rh_live_…`). Each mall is rate limited by a token bucket (default 400 requests, refilled at 200/s): answers carry `X-RateLimit-Limit` (the bucket), `X-RateLimit-Remaining` and `X-RateLimit-Policy` (`200;w=1;burst=400`); over it, 429 `rate_limited` with `Retry-After`.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'staffToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'An agent or admin token (`rh_staff_…`), or HUB_ADMIN_TOKEN.',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'redemption-hub',
      version: '1.0.0',
      description:
        'Fulfillment integration hub for points-redemption malls. Errors are `{"error": {"code", "message", "details"}}`; every response carries `X-Request-Id`.',
    },
    servers: [{ url: deps.config.publicUrl }],
  });

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
