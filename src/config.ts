import { z } from 'zod';
import { parseSuppliers, type SuppliersConfig } from './config-suppliers.ts';
import { type AftersaleConfig, TICKET_TYPES, type TicketType } from './domain/aftersales.ts';

/** Environment variables parsed once at start-up; nothing else in the hub reads `process.env`. */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number) => z.coerce.number().int().nonnegative().default(def);

/**
 * Connections to PostgreSQL per process. More connections than the database has cores to run them
 * only make queries wait inside PostgreSQL instead of in the pool, and cost more there: on two
 * cores, the catalog mix at 50 connections served 851 requests/s with a pool of 20 (p99 155 ms)
 * and 1 279 with a pool of 6 (p99 61 ms). Raise it with the database's cores.
 */
export const DEFAULT_DB_POOL_MAX = 10;

// Development-only secrets: the hub refuses to start in production with these (see refine below).
const DEV_TOKEN_PEPPER = 'dev-only-token-pepper-change-me-000000000000';
const DEV_ENCRYPTION_KEYS = 'dev1:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=';

const schema = z
  .object({
    HUB_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HUB_HOST: z.string().default('127.0.0.1'),
    HUB_PORT: int(3000),
    HUB_PUBLIC_URL: z.string().url().optional(),
    DATABASE_URL: z.string().default('postgresql://postgres@127.0.0.1:5432/redemption_hub'),
    /** Connections per process: see DEFAULT_DB_POOL_MAX. */
    HUB_DB_POOL_MAX: int(DEFAULT_DB_POOL_MAX),
    /**
     * Longest wait for a PostgreSQL connection (a new one, or a free one from the pool): past it the
     * request answers 503 instead of hanging while the database is unreachable or the pool is spent.
     */
    HUB_DB_CONNECT_TIMEOUT_MS: int(5_000),
    REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
    /** Prefix of every Redis key, so several hubs (or test files) can share one Redis. */
    HUB_REDIS_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/).default('hub'),
    /** Bootstrap admin bearer token; create further tokens through /admin/tokens. */
    HUB_ADMIN_TOKEN: z.string().min(24).optional(),
    /** HMAC key for stored API key / token hashes. Changing it invalidates every key. */
    HUB_TOKEN_PEPPER: z.string().min(32).default(DEV_TOKEN_PEPPER),
    /** `keyId:base64(32 bytes)` comma-separated; the first one encrypts, all of them decrypt. */
    HUB_ENCRYPTION_KEYS: z.string().default(DEV_ENCRYPTION_KEYS),
    /** Sandbox mode: loopback webhook URLs allowed, demo data, built-in suppliers. */
    HUB_SANDBOX: bool.default(false),
    HUB_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HUB_BODY_LIMIT_BYTES: int(1024 * 1024),
    HUB_RATE_LIMIT_PER_SEC: int(200),
    HUB_RATE_LIMIT_BURST: int(400),
    /** How long a verified credential is cached in-process; revocation takes effect within it. */
    HUB_AUTH_CACHE_MS: int(5_000),
    /** How long a staff session (POST /admin/sessions, the console's sign-in) lasts; never past its token's own expiry. */
    HUB_CONSOLE_SESSION_MS: z.coerce.number().int().min(60_000).default(8 * 3600_000),
    HUB_READY_TIMEOUT_MS: int(1_000),
    HUB_SHUTDOWN_GRACE_MS: int(10_000),
    /** How long a rotated webhook secret keeps signing next to the new one. */
    HUB_WEBHOOK_SECRET_OVERLAP_MS: int(24 * 3600_000),
    /** Outbound mall webhooks: one attempt's timeout, and the waits between attempts (ms, comma-separated; after the last → dead). */
    HUB_WEBHOOK_TIMEOUT_MS: int(15_000),
    HUB_WEBHOOK_RETRY_SCHEDULE_MS: z.string().regex(/^\d+(,\d+)*$/, 'comma-separated milliseconds').default('5000,300000,1800000,7200000,18000000,36000000,36000000'),
    /** How often new mall events become deliveries; how many of one mall's deliveries one job attempts (in one claim and one record statement), and how many such jobs a worker runs at once. */
    HUB_WEBHOOK_DISPATCH_EVERY_MS: int(500),
    HUB_WEBHOOK_BATCH: int(200),
    /** After-sales: days after delivery a return or exchange may be opened; a damaged, missing or wrong item; how long after shipping an undelivered parcel counts as not received. */
    HUB_AFTERSALE_RETURN_DAYS: int(7),
    HUB_AFTERSALE_DAMAGE_DAYS: int(15),
    HUB_AFTERSALE_NOT_RECEIVED_AFTER_MS: int(7 * 24 * 3600_000),
    /** After-sales SLAs: first response and resolution due this long after a ticket is opened; `type=firstMs/resolutionMs` entries (comma-separated) override them per ticket type. */
    HUB_AFTERSALE_FIRST_RESPONSE_MS: int(24 * 3600_000),
    HUB_AFTERSALE_RESOLUTION_MS: int(7 * 24 * 3600_000),
    HUB_AFTERSALE_SLA: z
      .string()
      .regex(new RegExp(`^((${TICKET_TYPES.join('|')})=\\d+/\\d+(,(?=.)|$))*$`), 'type=firstResponseMs/resolutionMs, comma-separated')
      .default('virtual_not_received=7200000/86400000'),
    /**
     * Settling tickets: how often a supplier's after-sale, a replacement or a reissue is asked
     * about when no callback came; how long an approved return may wait for the goods before an
     * agent looks; how long a parcel may go without a tracking event before it counts as lost;
     * whether damaged, wrong, short or lost goods are sent again (`reship`) or refunded when the
     * evidence settles the claim; and how much an agent may refund (points, fen) before an admin approves.
     */
    HUB_AFTERSALE_POLL_MS: int(30 * 60_000),
    HUB_AFTERSALE_RETURN_WAIT_MS: int(14 * 24 * 3600_000),
    HUB_AFTERSALE_LOST_AFTER_MS: int(5 * 24 * 3600_000),
    HUB_AFTERSALE_REMEDY: z.enum(['reship', 'refund']).default('reship'),
    HUB_AGENT_REFUND_LIMIT_POINTS: int(20_000),
    HUB_AGENT_REFUND_LIMIT_FEN: int(20_000),
    HUB_WEBHOOK_PARALLEL: int(32),
    HUB_WEBHOOK_CONCURRENCY: int(2),
    HUB_WORKER_CONCURRENCY: int(8),
    /**
     * Order intake statements batched across concurrent requests: most orders per statement,
     * statements of each kind at once. One at a time measured best at 1 000 orders/s (p99 31–45 ms
     * against 52–68 ms with 2 and 75–765 ms with 4; 2 021/s against 1 697/s with 4 at
     * saturation): requests arriving meanwhile share the next round trip, and on a small host each
     * round trip (a socket write waking a database backend) costs more CPU than the rows it carries.
     */
    HUB_INTAKE_BATCH_MAX: z.coerce.number().int().min(1).max(500).default(50),
    HUB_INTAKE_BATCH_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(1),
    /**
     * CPU priority (nice, 0–19) a `hub worker` process gives itself: on a host it shares with the
     * API, fulfilment then yields to order intake under a burst and catches up afterwards.
     */
    HUB_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(0),
    /**
     * A worker on a host it shares with the API yields while intake (all API processes) takes at
     * least this many orders/s: jobs run one at a time, busy at most HUB_WORKER_YIELD_DUTY of the
     * time, until the burst is over (see IntakeYield). 0: never yields (workers on their own hosts).
     */
    HUB_WORKER_YIELD_ABOVE: z.coerce.number().int().min(0).default(0),
    HUB_WORKER_YIELD_DUTY: z.coerce.number().gt(0).max(1).default(0.1),
    /** How often API processes publish their intake count and workers read the rate. */
    HUB_INTAKE_LOAD_EVERY_MS: int(250),
    HUB_SUPPLIER_HEALTH_EVERY_MS: int(5_000),
    HUB_MAINTENANCE_EVERY_MS: int(3600_000),
    /** Workflow runs: attempts of a step before the dead-letter list, backoff, lease of a run being executed. */
    HUB_WORKFLOW_MAX_ATTEMPTS: int(8),
    HUB_WORKFLOW_BACKOFF_MS: int(2_000),
    HUB_WORKFLOW_BACKOFF_MAX_MS: int(10 * 60_000),
    HUB_WORKFLOW_LEASE_MS: int(60_000),
    /** How often a virtual line still issuing, and a drop-ship line waiting for its parcel, are asked about. */
    HUB_ISSUANCE_POLL_MS: int(30_000),
    HUB_SHIPMENT_POLL_MS: int(3600_000),
    /** A shipped line with no tracking event for this long is asked about (safety net for lost callbacks). */
    HUB_TRACKING_STALE_MS: int(6 * 3600_000),
    /** How often JD's message pool is read for order messages (split, shipped, delivered, cancelled, after-sale). */
    HUB_JD_ORDER_POLL_EVERY_MS: int(60_000),
    /** Stored supplier events still 'received' after this long are queued again (Redis may have lost the job). */
    HUB_INBOUND_REQUEUE_AFTER_MS: int(60_000),
    /** How often the job outbox is moved to the queues (the API also relays right after an order commits). */
    HUB_OUTBOX_RELAY_EVERY_MS: int(500),
    /** How often the search indexer drains the queue of catalog changes (a change is searchable within about this). */
    HUB_SEARCH_INDEX_EVERY_MS: int(500),
    /** Changed items indexed per indexer transaction. */
    HUB_SEARCH_INDEX_BATCH: int(5_000),
    /** A mall with more changes queued than this (a new mall, a first sync) is re-indexed in bulk instead. */
    HUB_SEARCH_REBUILD_ABOVE: int(50_000),
    /** How often each mall's search index is checked against its prices (a lost index is rebuilt). */
    HUB_SEARCH_CHECK_EVERY_MS: int(10 * 60_000),
    /** Outbox rows the relay leaves alone at first: the API dispatches its own right after commit. */
    HUB_OUTBOX_RELAY_MIN_AGE_MS: int(5_000),
    /** How long the API gathers committed jobs before adding them to the queues in one round trip. */
    HUB_JOB_DISPATCH_LINGER_MS: int(10),
    /**
     * Who puts the jobs of committed orders on the queues: `api` right after the commit, or `relay`
     * (the workers' outbox relay, within HUB_OUTBOX_RELAY_EVERY_MS): on a host shared with
     * workers, the API then spends its CPU on requests only, and yielding workers defer the rest.
     */
    HUB_JOB_DISPATCH: z.enum(['api', 'relay']).default('api'),
    /** How often reconcilers compare PostgreSQL with the queues (Redis may lose jobs). */
    HUB_RECONCILE_EVERY_MS: int(60_000),
    /** How often a worker brings the data board's tables up to date with the orders (the board lags by at most about this). */
    HUB_BOARD_REFRESH_EVERY_MS: int(60_000),
    /**
     * How often each worker checks that the job schedulers (reconcilers, JD pool poll, catalog
     * syncs) are still in Redis and re-creates the missing ones (Redis may lose them too).
     */
    HUB_SCHEDULE_CHECK_EVERY_MS: z.coerce.number().int().min(1).default(30_000),
    HUB_SANDBOX_HOST: z.string().default('127.0.0.1'),
    /** Where connectors reach the built-in sandboxes (another host in docker-compose). */
    HUB_SANDBOX_URL: z.string().url().optional(),
    /** Goods SKUs per sandbox supplier and the catalog seed. */
    HUB_SANDBOX_SKUS: int(20_000),
    HUB_SANDBOX_SEED: int(1),
    /**
     * The sandbox's order lifecycle on its clock (`hub sandbox` runs it on real time): unset keeps a
     * real supplier's pace (ships in hours, delivers the next day); `npm run chaos` shortens it.
     */
    HUB_SANDBOX_SHIP_AFTER_MS: z.coerce.number().int().nonnegative().optional(),
    HUB_SANDBOX_TRANSIT_AFTER_MS: z.coerce.number().int().nonnegative().optional(),
    HUB_SANDBOX_DELIVER_AFTER_MS: z.coerce.number().int().nonnegative().optional(),
    HUB_SANDBOX_SPLIT_GAP_MS: z.coerce.number().int().nonnegative().optional(),
    HUB_SANDBOX_TOPUP_RESULT_AFTER_MS: z.coerce.number().int().nonnegative().optional(),
    HUB_SANDBOX_TOPUP_FAIL_RATE: z.coerce.number().min(0).max(1).optional(),
    HUB_SUPPLIER_TIMEOUT_MS: int(10_000),
    /** How long a supplier's open circuit stays open before a trial call. */
    HUB_SUPPLIER_BREAKER_HALF_OPEN_MS: int(30_000),
    /** How long a live supplier price/stock answer is reused by POST /v1/catalog/availability. */
    HUB_AVAILABILITY_CACHE_MS: int(30_000),
    HUB_CATALOG_CHANGES_RETENTION_MS: int(30 * 86_400_000),
    HUB_STAFF_SESSIONS_RETENTION_MS: int(30 * 86_400_000),
    /** How often each supplier's incremental sync runs (JD pool poll, modified-since pulls, top-up lists). */
    HUB_CATALOG_INCREMENTAL_EVERY_MS: int(5 * 60_000),
    /** Whether workers schedule catalog syncs at all (off for a worker that should only fulfil, e.g. in benchmarks). */
    HUB_CATALOG_SYNC_SCHEDULE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    /** When full syncs run (cron, Asia/Shanghai): nightly, after the suppliers' own nightly updates. */
    HUB_CATALOG_FULL_SYNC_CRON: z.string().default('0 3 * * *'),
    /** How far before the last run's start a modified-since pull reaches back. */
    HUB_CATALOG_SYNC_OVERLAP_MS: int(10 * 60_000),
    /** How long a sync worker holds a run without progress before another may take it over. */
    HUB_CATALOG_SYNC_LEASE_MS: int(120_000),
    /** Catalog pages a sync asks a supplier for at once where its pages are numbered (Taobao, JD pools); 1: one after another. */
    HUB_CATALOG_READ_AHEAD: z.coerce.number().int().min(1).max(32).default(4),
    /** Whether the full syncs that fill an empty catalog load it in bulk and publish it once, when they have all ended. */
    HUB_CATALOG_FIRST_LOAD: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    /** Memory (maintenance_work_mem) of each search index a first load builds at its end, in MB. */
    HUB_CATALOG_INDEX_MEMORY_MB: z.coerce.number().int().min(1).max(4096).default(256),
    HUB_SANDBOX_PORT: int(4100),
    /** Where `npm start` writes the demo mall's key in sandbox mode (git-ignored). */
    HUB_LOCAL_FILE: z.string().default('.hub-local.json'),
  })
  .superRefine((env, ctx) => {
    if (env.HUB_ENV !== 'production') return;
    if (env.HUB_TOKEN_PEPPER === DEV_TOKEN_PEPPER)
      ctx.addIssue({ code: 'custom', path: ['HUB_TOKEN_PEPPER'], message: 'set a real pepper in production' });
    if (env.HUB_ENCRYPTION_KEYS === DEV_ENCRYPTION_KEYS)
      ctx.addIssue({ code: 'custom', path: ['HUB_ENCRYPTION_KEYS'], message: 'set real keys in production' });
    if (env.HUB_SANDBOX)
      ctx.addIssue({ code: 'custom', path: ['HUB_SANDBOX'], message: 'sandbox mode is not for production' });
  });

export type Env = z.infer<typeof schema>;

/** Resolved configuration passed to every layer. */
export interface Config {
  env: Env['HUB_ENV'];
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string;
  dbPoolMax: number;
  dbConnectTimeoutMs: number;
  redisUrl: string;
  redisPrefix: string;
  adminToken: string | undefined;
  tokenPepper: string;
  encryptionKeys: { id: string; key: Buffer }[];
  sandbox: boolean;
  logLevel: Env['HUB_LOG_LEVEL'];
  bodyLimitBytes: number;
  rateLimit: { perSec: number; burst: number };
  authCacheMs: number;
  /** Lifetime of a staff session (HUB_CONSOLE_SESSION_MS). */
  consoleSessionMs: number;
  readyTimeoutMs: number;
  shutdownGraceMs: number;
  webhookSecretOverlapMs: number;
  webhook: { timeoutMs: number; retryScheduleMs: number[]; dispatchEveryMs: number; batchSize: number; parallel: number; concurrency: number };
  /** After-sales windows and SLAs (HUB_AFTERSALE_*). */
  aftersale: AftersaleConfig;
  workerConcurrency: number;
  workerNice: number;
  workerYield: { aboveOrdersPerSec: number; duty: number };
  intakeLoadEveryMs: number;
  /** How often each process shares its connectors' health through Redis (HUB_SUPPLIER_HEALTH_EVERY_MS). */
  supplierHealthEveryMs: number;
  intakeBatch: { max: number; inFlight: number };
  maintenanceEveryMs: number;
  reconcileEveryMs: number;
  boardRefreshEveryMs: number;
  /** How often a worker restores job schedulers Redis lost (HUB_SCHEDULE_CHECK_EVERY_MS). */
  scheduleCheckEveryMs: number;
  workflow: { maxAttempts: number; backoffBaseMs: number; backoffMaxMs: number; leaseMs: number };
  issuancePollMs: number;
  shipmentPollMs: number;
  trackingStaleMs: number;
  jdOrderPollEveryMs: number;
  inboundRequeueAfterMs: number;
  outboxRelayEveryMs: number;
  /** The search indexer (src/catalog/search-index-store.ts): how often it drains, its batch, when a mall is rebuilt in bulk, how often indexes are checked. */
  searchIndex: { everyMs: number; batch: number; rebuildAbove: number; checkEveryMs: number };
  outboxRelayMinAgeMs: number;
  /** Committed jobs are gathered this long before one bulk add (HUB_JOB_DISPATCH_LINGER_MS). */
  jobDispatchLingerMs: number;
  /** Who queues committed jobs: the API after each commit, or the workers' relay (HUB_JOB_DISPATCH). */
  jobDispatch: 'api' | 'relay';
  sandboxHost: string;
  sandboxPort: number;
  sandboxUrl: string;
  sandboxSkus: number;
  sandboxSeed: number;
  /** Overrides of the sandbox's lifecycle timings (HUB_SANDBOX_*_AFTER_MS …); empty keeps its realistic pace. */
  sandboxLifecycle: Partial<{ shipAfterMs: number; transitAfterMs: number; deliverAfterMs: number; splitGapMs: number; topupResultAfterMs: number; topupFailRate: number }>;
  suppliers: SuppliersConfig;
  availabilityCacheMs: number;
  catalogChangesRetentionMs: number;
  /** How long a console session is kept once it ended (HUB_STAFF_SESSIONS_RETENTION_MS), then pruned. */
  staffSessionsRetentionMs: number;
  catalogIncrementalEveryMs: number;
  catalogFullSyncCron: string;
  catalogSyncSchedule: boolean;
  catalogSyncOverlapMs: number;
  catalogSyncLeaseMs: number;
  catalogReadAhead: number;
  catalogFirstLoad: boolean;
  catalogIndexMemoryMb: number;
  localFile: string;
}

/** Each ticket type's SLA: the defaults, with the overrides of HUB_AFTERSALE_SLA (`type=firstMs/resolutionMs,…`). */
function aftersaleSla(firstResponseMs: number, resolutionMs: number, overrides: string): AftersaleConfig['sla'] {
  const sla = Object.fromEntries(TICKET_TYPES.map((t) => [t, { firstResponseMs, resolutionMs }])) as Record<TicketType, { firstResponseMs: number; resolutionMs: number }>;
  for (const entry of overrides.split(',').filter(Boolean)) {
    const [type, times] = entry.split('=') as [TicketType, string];
    const [first, resolve] = times.split('/').map(Number) as [number, number];
    sla[type] = { firstResponseMs: first, resolutionMs: resolve };
  }
  return sla;
}

/** Parses the environment (defaults work on a developer machine) or throws listing every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const sandboxUrl = e.HUB_SANDBOX_URL ?? `http://127.0.0.1:${e.HUB_SANDBOX_PORT}`;
  const suppliers = parseSuppliers(source, sandboxUrl, e.HUB_SUPPLIER_TIMEOUT_MS, e.HUB_SUPPLIER_BREAKER_HALF_OPEN_MS);
  if (e.HUB_ENV === 'production' && suppliers.defaulted.length) {
    throw new Error(`invalid configuration:\n  supplier credentials still at their sandbox defaults: ${suppliers.defaulted.join(', ')}`);
  }
  return {
    env: e.HUB_ENV,
    host: e.HUB_HOST,
    port: e.HUB_PORT,
    publicUrl: e.HUB_PUBLIC_URL ?? `http://${e.HUB_HOST === '0.0.0.0' ? '127.0.0.1' : e.HUB_HOST}:${e.HUB_PORT}`,
    databaseUrl: e.DATABASE_URL,
    dbPoolMax: e.HUB_DB_POOL_MAX,
    dbConnectTimeoutMs: e.HUB_DB_CONNECT_TIMEOUT_MS,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.HUB_REDIS_PREFIX,
    adminToken: e.HUB_ADMIN_TOKEN,
    tokenPepper: e.HUB_TOKEN_PEPPER,
    encryptionKeys: parseKeys(e.HUB_ENCRYPTION_KEYS),
    sandbox: e.HUB_SANDBOX,
    logLevel: e.HUB_LOG_LEVEL,
    bodyLimitBytes: e.HUB_BODY_LIMIT_BYTES,
    rateLimit: { perSec: e.HUB_RATE_LIMIT_PER_SEC, burst: e.HUB_RATE_LIMIT_BURST },
    authCacheMs: e.HUB_AUTH_CACHE_MS,
    consoleSessionMs: e.HUB_CONSOLE_SESSION_MS,
    readyTimeoutMs: e.HUB_READY_TIMEOUT_MS,
    shutdownGraceMs: e.HUB_SHUTDOWN_GRACE_MS,
    webhookSecretOverlapMs: e.HUB_WEBHOOK_SECRET_OVERLAP_MS,
    webhook: { timeoutMs: e.HUB_WEBHOOK_TIMEOUT_MS, retryScheduleMs: e.HUB_WEBHOOK_RETRY_SCHEDULE_MS.split(',').map(Number), dispatchEveryMs: e.HUB_WEBHOOK_DISPATCH_EVERY_MS, batchSize: e.HUB_WEBHOOK_BATCH, parallel: e.HUB_WEBHOOK_PARALLEL, concurrency: e.HUB_WEBHOOK_CONCURRENCY },
    aftersale: {
      returnDays: e.HUB_AFTERSALE_RETURN_DAYS,
      damageDays: e.HUB_AFTERSALE_DAMAGE_DAYS,
      notReceivedAfterMs: e.HUB_AFTERSALE_NOT_RECEIVED_AFTER_MS,
      sla: aftersaleSla(e.HUB_AFTERSALE_FIRST_RESPONSE_MS, e.HUB_AFTERSALE_RESOLUTION_MS, e.HUB_AFTERSALE_SLA),
      pollMs: e.HUB_AFTERSALE_POLL_MS,
      returnWaitMs: e.HUB_AFTERSALE_RETURN_WAIT_MS,
      lostAfterMs: e.HUB_AFTERSALE_LOST_AFTER_MS,
      remedy: e.HUB_AFTERSALE_REMEDY,
      agentRefundLimit: { points: e.HUB_AGENT_REFUND_LIMIT_POINTS, cashFen: e.HUB_AGENT_REFUND_LIMIT_FEN },
    },
    workerConcurrency: e.HUB_WORKER_CONCURRENCY,
    workerNice: e.HUB_WORKER_NICE,
    workerYield: { aboveOrdersPerSec: e.HUB_WORKER_YIELD_ABOVE, duty: e.HUB_WORKER_YIELD_DUTY },
    intakeLoadEveryMs: e.HUB_INTAKE_LOAD_EVERY_MS,
    supplierHealthEveryMs: e.HUB_SUPPLIER_HEALTH_EVERY_MS,
    intakeBatch: { max: e.HUB_INTAKE_BATCH_MAX, inFlight: e.HUB_INTAKE_BATCH_IN_FLIGHT },
    maintenanceEveryMs: e.HUB_MAINTENANCE_EVERY_MS,
    reconcileEveryMs: e.HUB_RECONCILE_EVERY_MS,
    boardRefreshEveryMs: e.HUB_BOARD_REFRESH_EVERY_MS,
    scheduleCheckEveryMs: e.HUB_SCHEDULE_CHECK_EVERY_MS,
    workflow: { maxAttempts: e.HUB_WORKFLOW_MAX_ATTEMPTS, backoffBaseMs: e.HUB_WORKFLOW_BACKOFF_MS, backoffMaxMs: e.HUB_WORKFLOW_BACKOFF_MAX_MS, leaseMs: e.HUB_WORKFLOW_LEASE_MS },
    issuancePollMs: e.HUB_ISSUANCE_POLL_MS,
    shipmentPollMs: e.HUB_SHIPMENT_POLL_MS,
    trackingStaleMs: e.HUB_TRACKING_STALE_MS,
    jdOrderPollEveryMs: e.HUB_JD_ORDER_POLL_EVERY_MS,
    inboundRequeueAfterMs: e.HUB_INBOUND_REQUEUE_AFTER_MS,
    outboxRelayEveryMs: e.HUB_OUTBOX_RELAY_EVERY_MS,
    searchIndex: { everyMs: e.HUB_SEARCH_INDEX_EVERY_MS, batch: e.HUB_SEARCH_INDEX_BATCH, rebuildAbove: e.HUB_SEARCH_REBUILD_ABOVE, checkEveryMs: e.HUB_SEARCH_CHECK_EVERY_MS },
    outboxRelayMinAgeMs: e.HUB_OUTBOX_RELAY_MIN_AGE_MS,
    jobDispatchLingerMs: e.HUB_JOB_DISPATCH_LINGER_MS,
    jobDispatch: e.HUB_JOB_DISPATCH,
    sandboxHost: e.HUB_SANDBOX_HOST,
    sandboxPort: e.HUB_SANDBOX_PORT,
    sandboxUrl,
    sandboxSkus: e.HUB_SANDBOX_SKUS,
    sandboxSeed: e.HUB_SANDBOX_SEED,
    sandboxLifecycle: Object.fromEntries(
      Object.entries({
        shipAfterMs: e.HUB_SANDBOX_SHIP_AFTER_MS, transitAfterMs: e.HUB_SANDBOX_TRANSIT_AFTER_MS, deliverAfterMs: e.HUB_SANDBOX_DELIVER_AFTER_MS,
        splitGapMs: e.HUB_SANDBOX_SPLIT_GAP_MS, topupResultAfterMs: e.HUB_SANDBOX_TOPUP_RESULT_AFTER_MS, topupFailRate: e.HUB_SANDBOX_TOPUP_FAIL_RATE,
      }).filter(([, v]) => v !== undefined),
    ),
    suppliers,
    availabilityCacheMs: e.HUB_AVAILABILITY_CACHE_MS,
    catalogChangesRetentionMs: e.HUB_CATALOG_CHANGES_RETENTION_MS,
    staffSessionsRetentionMs: e.HUB_STAFF_SESSIONS_RETENTION_MS,
    catalogIncrementalEveryMs: e.HUB_CATALOG_INCREMENTAL_EVERY_MS,
    catalogFullSyncCron: e.HUB_CATALOG_FULL_SYNC_CRON,
    catalogSyncSchedule: e.HUB_CATALOG_SYNC_SCHEDULE,
    catalogSyncOverlapMs: e.HUB_CATALOG_SYNC_OVERLAP_MS,
    catalogSyncLeaseMs: e.HUB_CATALOG_SYNC_LEASE_MS,
    catalogReadAhead: e.HUB_CATALOG_READ_AHEAD,
    catalogFirstLoad: e.HUB_CATALOG_FIRST_LOAD,
    catalogIndexMemoryMb: e.HUB_CATALOG_INDEX_MEMORY_MB,
    localFile: e.HUB_LOCAL_FILE,
  };
}

function parseKeys(spec: string): { id: string; key: Buffer }[] {
  const keys = spec.split(',').map((part) => {
    const [id, b64] = part.trim().split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!id || key.length !== 32) throw new Error(`invalid configuration:\n  HUB_ENCRYPTION_KEYS: "${id}" must be keyId:base64 of 32 bytes`);
    return { id, key };
  });
  if (keys.length === 0) throw new Error('invalid configuration:\n  HUB_ENCRYPTION_KEYS: at least one key');
  return keys;
}
