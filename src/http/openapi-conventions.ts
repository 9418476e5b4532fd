import { z } from '@hono/zod-openapi';
import type { HubApp } from './app-type.ts';
import { documentedError, type ErrorStatus } from './errors.ts';
import { mallSecurity, publicRoute, staffSecurity } from './schemas.ts';

/*
 * The conventions of /openapi.json (ARCHITECTURE.md, "How to add… a route"). A route states what
 * is its own: summary, description, parameters made with `pathParam` / `queryParam` (each with a
 * description and an example), request and response bodies with an example each (`jsonBody`,
 * `jsonResponse`), timestamps as `Timestamp`, statuses as closed enums of the domain's lists,
 * and the errors its handler raises (`errorResponses`, `documentedError`). What the middleware
 * mounted in src/app.ts adds to every route of an area is filled in here, in one place, by
 * `applyOpenApiConventions`: the response headers, the errors of the middleware (URL checks, auth,
 * body parsing, rate limit), 500 everywhere, 503 wherever PostgreSQL or Redis is reached, and the
 * security requirement of the area. `test/http/openapi-document.test.ts` checks the result.
 */

/** Tags of the document, each with its description, in the groups the reference shows them in. */
export const TAG_GROUPS: { name: string; tags: { name: string; description: string }[] }[] = [
  {
    name: 'Mall API',
    tags: [
      { name: 'Mall', description: "The calling mall's own settings: points rate, pricing overrides, catalog selection, rate limit, webhook endpoint. Authenticated with the mall's API key." },
      { name: 'Catalog', description: "The hub's catalog as this mall sells it: categories, items priced in the mall's points, live availability for a region, and the change feed." },
      { name: 'Orders', description: 'Redemption orders: place one (idempotent), read it line by line, cancel lines, read issued voucher codes.' },
      { name: 'After-sales', description: 'After-sales tickets on a line (return, exchange, damaged, missing or wrong item, not received): open one (idempotent, eligibility checked first), read it with its history, add evidence, withdraw it. Resolution is not built yet.' },
      { name: 'Events', description: "Every event sent (or to be sent) to the mall's webhook endpoint, to catch up after an outage or reconcile. The webhooks themselves are described under `webhooks`." },
      { name: 'Board', description: "The mall's data board (数据看板): orders, success rate, shipping and issuance times, failure and refund reasons, points redeemed and refunded over time, top items, kind shares, after-sales rates and the cost ratio over a period, as JSON or CSV." },
    ],
  },
  {
    name: 'Admin',
    tags: [
      { name: 'Admin: malls', description: 'Create and configure malls (tenants), rotate their API keys and webhook secrets. Staff tokens; writes need the `admin` role.' },
      { name: 'Admin: tokens', description: 'Staff tokens (`agent`, `admin`): create, list, revoke. `admin` role only.' },
      { name: 'Admin: sessions', description: 'Staff sessions, what the support console signs in with: a short-lived, revocable credential of a staff token’s role, started with the token and ended at sign-out. Agents and admins.' },
      { name: 'Admin: audit', description: 'The audit log: who changed what, and who read voucher codes. `admin` role only.' },
      { name: 'Admin: catalog', description: 'Catalog sync status and runs per supplier, and why an item is (not) sellable, source by source.' },
      { name: 'Admin: workflows', description: 'Line workflows given up (dead letters): inspect, replay, or abort with compensation.' },
      { name: 'Admin: after-sales', description: 'After-sales tickets of every mall for the hub’s staff: list with filters (overdue included), read with the whole history and the order (recipient masked for agents), assign, comment. Agents and admins; every action audited.' },
      { name: 'Admin: suppliers', description: 'Each supplier account: its circuit, recent error rate and latency, last catalog sync, after-sales still open on it, and its prepaid balance where it has one. Agents and admins.' },
      { name: 'Admin: orders', description: 'Orders of every mall for the hub’s staff: search by mall order id, phone tail, tracking number or supplier order id; one order with its whole timeline (personal data masked for agents, in full and audited for admins); retry, reroute, cancel and refund its lines. Agents and admins; every action audited.' },
      { name: 'Admin: board', description: 'The data board of one mall or across every mall, as JSON or CSV: what GET /v1/board shows a mall. Agents and admins.' },
      { name: 'Admin: webhooks', description: 'Deliveries of events to malls: inspect attempts, replay, re-enable an endpoint disabled by a 410, endpoint health.' },
    ],
  },
  {
    name: 'Supplier callbacks',
    tags: [
      { name: 'Supplier callbacks', description: "What suppliers send the hub (Taobao pushes, brand webhooks, top-up results), each in the supplier's own format and verified with its own signature scheme instead of a bearer token. Not for malls." },
    ],
  },
  {
    name: 'Operations',
    tags: [{ name: 'Operations', description: 'Process probes, metrics and this reference, for operators and load balancers. No authentication.' }],
  },
];

/** Operations that reach neither PostgreSQL nor Redis: they cannot answer 503 (`/readyz` says so itself). */
const WITHOUT_DEPENDENCIES_TAG = 'Operations';

/** The response headers the middleware sets, as components every response refers to. */
const HEADERS = {
  'X-Request-Id': {
    description: 'The request id: yours, echoed, when it matches `[A-Za-z0-9._:-]{1,128}`, otherwise a new UUID. Quote it when you ask for support.',
    required: true,
    schema: { type: 'string', example: '4f9e1c62-7a0b-4b8e-9d3c-2a1f6e5b7c80' },
  },
  'X-RateLimit-Limit': {
    description: "The mall's token bucket size (`burst`). Absent when the rate limiter (Redis) could not be asked.",
    schema: { type: 'integer', example: 400 },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the bucket now.',
    schema: { type: 'integer', example: 372 },
  },
  'X-RateLimit-Policy': {
    description: 'The limit as `perSec;w=1;burst=burst`: the bucket refills at `perSec` requests a second.',
    schema: { type: 'string', example: '200;w=1;burst=400' },
  },
  'Retry-After': {
    description: 'Whole seconds (at least 1) to wait before repeating the request.',
    required: true,
    schema: { type: 'integer', minimum: 1, example: 5 },
  },
  'WWW-Authenticate': {
    description: 'The authentication scheme the route takes.',
    required: true,
    schema: { type: 'string', example: 'Bearer' },
  },
} as const;
type HeaderName = keyof typeof HEADERS;
const ref = (name: HeaderName) => ({ $ref: `#/components/headers/${name}` });

/** JSON content with its example, for a response or a request body (the example is type-checked against the schema). */
export function jsonContent<T extends z.ZodType>(schema: T, example: z.input<T>) {
  return { 'application/json': { schema, example } };
}

/** A JSON response: its description, schema and a realistic example. */
export function jsonResponse<T extends z.ZodType>(description: string, schema: T, example: z.input<T>) {
  return { description, content: jsonContent(schema, example) };
}

/** A JSON request body with a realistic example; required unless said otherwise. */
export function jsonBody<T extends z.ZodType>(schema: T, example: z.input<T>, opts: { required?: boolean; description?: string } = {}) {
  return { required: opts.required ?? true, ...(opts.description ? { description: opts.description } : {}), content: jsonContent(schema, example) };
}

type Definition = HubApp['openAPIRegistry']['definitions'][number];
type Route = Extract<Definition, { type: 'route' }>['route'];
type Responses = Route['responses'];

/** Which middleware of src/app.ts a path goes through. */
function areaOf(path: string): 'mall' | 'admin' | 'supplier' | 'other' {
  if (path.startsWith('/v1/')) return 'mall';
  if (path.startsWith('/admin/')) return 'admin';
  if (path.startsWith('/webhooks/')) return 'supplier';
  return 'other';
}

/**
 * Fills in, for every operation registered on `app`, what the middleware of its area adds (see
 * the comment at the top). Call it once every route is registered, before the document is served.
 */
export function applyOpenApiConventions(app: HubApp): void {
  const registry = app.openAPIRegistry;
  for (const [name, header] of Object.entries(HEADERS)) registry.registerComponent('headers', name, header);
  registry.registerComponent('securitySchemes', 'mallApiKey', {
    type: 'http',
    scheme: 'bearer',
    description:
      'The mall API key returned by POST /admin/malls (`rh_live_…`). Each mall is rate limited by a token bucket (default 400 requests, refilled at 200/s): answers carry `X-RateLimit-Limit` (the bucket), `X-RateLimit-Remaining` and `X-RateLimit-Policy` (`200;w=1;burst=400`); over it, 429 `rate_limited` with `Retry-After`.',
  });
  registry.registerComponent('securitySchemes', 'staffToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'An agent or admin token (`rh_staff_…`), or HUB_ADMIN_TOKEN.',
  });
  for (const d of registry.definitions) if (d.type === 'route') applyToRoute(d.route);
}

function applyToRoute(route: Route): void {
  const area = areaOf(route.path);
  // The security requirement of the area's auth middleware (a route may state it itself).
  route.security ??= area === 'mall' ? mallSecurity : area === 'admin' ? staffSecurity : publicRoute;

  const statuses: ErrorStatus[] = [400, 500]; // wellFormedUrl on every path; onError for anything unexpected
  if (area === 'mall' || area === 'admin') statuses.push(401); // mallAuth / staffAuth
  if (area === 'mall') statuses.push(429); // the mall's rate limit
  if ((area === 'mall' || area === 'admin') && route.request?.body) statuses.push(413, 415); // jsonBody
  if (!route.tags?.includes(WITHOUT_DEPENDENCIES_TAG)) statuses.push(503); // auth and handlers reach PostgreSQL and Redis
  const responses: Responses = { ...route.responses };
  for (const s of statuses) responses[s] ??= documentedError(s);

  for (const [status, response] of Object.entries(responses)) {
    if ('$ref' in response) continue;
    const headers: Record<string, unknown> = { ...(response.headers as Record<string, unknown> | undefined) };
    const add = (name: HeaderName) => (headers[name] ??= ref(name));
    add('X-Request-Id');
    // mallAuth sets the rate-limit headers once the key is verified: on every answer but a 401 and
    // jsonBody's 413 and 415, which come before it (a 400 of the URL check too, but most 400s are after).
    if (area === 'mall' && !['401', '413', '415'].includes(status)) for (const h of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Policy'] as const) add(h);
    if (status === '429' || status === '503') add('Retry-After');
    if (status === '401') add('WWW-Authenticate');
    responses[status] = { ...response, headers: headers as never };
  }
  route.responses = responses;
}

/** The document's own fields (`GET /openapi.json`): what it is, where it is served, its tags. */
export function openApiDocumentConfig(publicUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'redemption-hub',
      version: '1.0.0',
      description: [
        'Fulfillment integration hub for points-redemption malls: one catalog priced in each mall’s points, orders fulfilled by JD, Taobao, brand and top-up suppliers, and signed webhooks back to the mall.',
        '',
        'Conventions: JSON in UTF-8; times are RFC 3339 in UTC with milliseconds; money is whole fen in fields ending in `Fen`; ids carry a type prefix (`mall_…`, `ord_…`, `evt_…`, `sku_…`). Errors are `{"error": {"code", "message", "details"}}`: branch on `code`. Every response carries `X-Request-Id`; mall API answers carry `X-RateLimit-*`; 429 and 503 carry `Retry-After`.',
        '',
        'The rules a schema cannot express (idempotency, pagination, statuses, webhook signatures) are in docs/contract.md.',
      ].join('\n'),
    },
    servers: [{ url: publicUrl, description: 'This hub' }],
    tags: TAG_GROUPS.flatMap((g) => g.tags),
    'x-tagGroups': TAG_GROUPS.map((g) => ({ name: g.name, tags: g.tags.map((t) => t.name) })),
  };
}

/**
 * The `Idempotency-Key` header of a creating route: documented as required, parsed as optional so
 * that its absence is answered by the route as 400 `idempotency_key_required` rather than a
 * generic validation error. `what` says what one key stands for.
 */
export function idempotencyKeyHeader(what: string, example: string) {
  return z.object({
    'idempotency-key': z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ param: { name: 'idempotency-key', in: 'header', required: true, description: `Required: one key per ${what}, kept forever`, example } }),
  });
}
