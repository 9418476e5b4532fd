import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HubEnv } from './context.ts';

/** The hub's Hono application type, as route registrations receive it. */
export type HubApp = OpenAPIHono<HubEnv>;
