import { OpenAPIHono } from '@hono/zod-openapi';
import type { HubDeps, HubEnv } from './http/context.ts';
import { errorResponse, toAppError, validationHook } from './http/errors.ts';
import { mallAuth, staffAuth } from './http/middleware/auth.ts';
import { jsonBody } from './http/middleware/json-body.ts';
import { requestContext } from './http/middleware/request-context.ts';
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
  for (const area of ['/v1/*', '/admin/*'] as const) app.use(area, ...jsonBody(deps.config.bodyLimitBytes));
  app.use('/v1/*', mallAuth());
  app.use('/admin/*', staffAuth());

  registerOpsRoutes(app);
  registerDocs(app);
  registerMallRoutes(app);
  registerAdminRoutes(app);
  registerSupplierWebhookRoutes(app);

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
    if (appErr.code === 'internal_error') (c.get('logger') ?? deps.logger).error({ err }, 'unhandled error');
    return errorResponse(c, appErr);
  });
  return app;
}
