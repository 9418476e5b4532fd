/**
 * The hub's typed client: openapi-fetch over the types openapi-typescript generated from the hub's
 * GET /openapi.json (schema.d.ts; regenerate it with `npm run client:generate`). This file only
 * wires the base URL and the bearer token: every path, parameter, body and answer is typed by
 * schema.d.ts.
 */
import createClient, { type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema.d.ts';

export type { components, operations, paths, webhooks } from './schema.d.ts';

/**
 * A client of the hub at `baseUrl` (e.g. `http://127.0.0.1:3000`) that sends
 * `Authorization: Bearer <token>` with every request: a mall API key (`rh_live_…`) for `/v1/*`, a
 * staff token (`rh_staff_…`) for `/admin/*`.
 */
export function createHubClient(baseUrl: string, token: string, options: Omit<ClientOptions, 'baseUrl' | 'headers'> = {}) {
  return createClient<paths>({ ...options, baseUrl: baseUrl.replace(/\/+$/, ''), headers: { Authorization: `Bearer ${token}` } });
}
