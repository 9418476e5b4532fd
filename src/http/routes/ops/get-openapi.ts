import { createRoute, z } from '@hono/zod-openapi';
import type { HubApp } from '../../app-type.ts';
import { openApiDocumentConfig } from '../../openapi-conventions.ts';
import { publicRoute } from '../../schemas.ts';

const OpenApiDocument = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string() }).catchall(z.unknown()),
    paths: z.record(z.string(), z.unknown()),
  })
  .catchall(z.unknown())
  .openapi({ description: 'An OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0)' });

const route = createRoute({
  method: 'get',
  path: '/openapi.json',
  operationId: 'getOpenApiDocument',
  tags: ['Operations'],
  summary: 'This document: the OpenAPI 3.1 description of every operation',
  description:
    'Generated from the route definitions, so it always matches what the hub serves. Generate a client from it (e.g. openapi-typescript); field names, status names and error codes do not change within `v1`, while new fields and operations may appear.',
  security: publicRoute,
  responses: {
    200: {
      description: 'The document',
      content: {
        'application/json': {
          schema: OpenApiDocument,
          example: { openapi: '3.1.0', info: { title: 'redemption-hub', version: '1.0.0' }, paths: { '/v1/mall': { get: { operationId: 'getOwnMall' } } } },
        },
      },
    },
  },
});

/** GET /openapi.json: the document of every operation registered on `app`, served as generated. */
export function registerOpenApiDocument(app: HubApp, publicUrl: string): void {
  // Built on the first request, once every route is registered and the conventions applied.
  let document: ReturnType<HubApp['getOpenAPI31Document']> | undefined;
  app.openapi(route, (c) => c.json((document ??= app.getOpenAPI31Document(openApiDocumentConfig(publicUrl))) as z.infer<typeof OpenApiDocument>, 200));
}
