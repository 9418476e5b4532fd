import type { Config } from './config.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { CredentialStore } from './malls/credential-store.ts';
import { IntakeStore } from './orders/intake-store.ts';
import { MallStore } from './malls/mall-store.ts';
import { openOrm } from './persistence/orm.ts';
import { registerCatalogSyncGauges } from './observability/catalog-sync-gauges.ts';
import { registerOutboxGauges } from './observability/outbox-gauges.ts';
import { registerSearchGauges } from './observability/search-gauges.ts';
import { createRedis } from './redis/connection.ts';
import { CommittedJobDispatcher } from './queues/outbox-relay.ts';
import { QueueProducer } from './queues/producer.ts';
import { IntakeLoadMeter } from './redis/intake-load.ts';
import { RateLimiter } from './redis/rate-limiter.ts';
import { SupplierHealthShare } from './redis/supplier-health-share.ts';
import { createConnectors } from './suppliers.ts';
import { OfferCache } from './catalog/availability.ts';
import { CryptoBox } from './security/crypto-box.ts';
import { webhookAgent } from './mall-webhooks/http-agent.ts';
import type { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import type { SupplierConnector } from '../connectors/connector.ts';
import type { Metrics } from './observability/metrics.ts';
import type { Orm } from './persistence/orm.ts';

/** Everything a process of the hub shares (requests, jobs), built once by `buildDeps` (or by a test). */
export interface HubDeps {
  config: Config;
  orm: Orm;
  redis: Redis;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  crypto: CryptoBox;
  credentials: CredentialStore;
  malls: MallStore;
  rateLimiter: RateLimiter;
  queues: QueueProducer;
  /** Moves jobs that requests committed to the outbox onto their queues, off the request path. */
  committedJobs: CommittedJobDispatcher;
  /** Counts order requests for workers that yield to intake bursts (HUB_WORKER_YIELD_ABOVE). */
  intakeLoad: IntakeLoadMeter;
  /** Intake's statements, batched across concurrent requests. */
  intakeStore: IntakeStore;
  /** Ids of the configured supplier accounts. */
  supplierIds: string[];
  /** One connector per supplier account, for live checks from the API. */
  connectors: Map<string, SupplierConnector>;
  /** This process's connector health, shared with the other processes' through Redis (/admin/suppliers). */
  supplierHealth: SupplierHealthShare;
  offerCache: OfferCache;
  /** Kept-alive connections to malls' webhook endpoints (see mall-webhooks/http-agent.ts). */
  webhookAgent: Dispatcher;
  /** The time supplier signatures are made and checked with: wall time (tests pin it; never the sandbox clock, which moves only lifecycles). */
  supplierNow?: () => Date;
}

/** Builds the shared dependencies of a process; tests pass their own clock, logger or Redis. */
export async function buildDeps(
  config: Config,
  overrides: { clock?: Clock; logger?: Logger; redis?: HubDeps['redis']; supplierNow?: () => Date; appName?: string } = {},
): Promise<HubDeps> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger({ level: config.logLevel });
  const orm = await openOrm(config, overrides.appName);
  // Every request takes a rate-limit token here: auto-pipelined, the requests that arrived in one
  // turn of the event loop send their scripts in one write and read the answers in one read
  // (profiled at 1 000 orders/s, a write per request was 6 % of the API's CPU).
  const redis = overrides.redis ?? createRedis(config.redisUrl, { failFast: true, name: 'hub-api', autoPipeline: true });
  // An unreachable Redis is reported by /readyz; don't let ioredis print unhandled error events.
  redis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  const crypto = new CryptoBox(config.encryptionKeys);
  const credentials = new CredentialStore({ pepper: config.tokenPepper, clock, cacheMs: config.authCacheMs, bootstrapAdminToken: config.adminToken });
  const malls = new MallStore({ clock, crypto, credentials, rateLimit: config.rateLimit, secretOverlapMs: config.webhookSecretOverlapMs });
  // Jobs are added on a connection of their own: a bulk add of committed jobs (a pipeline of
  // scripts) must not hold up the rate limiter's one command per request behind it.
  const queueRedis = overrides.redis ? redis : createRedis(config.redisUrl, { failFast: true, name: 'hub-queues' });
  if (queueRedis !== redis) queueRedis.on('error', (err) => logger.debug({ err: err.message }, 'redis connection error'));
  const queues = new QueueProducer(queueRedis, config.redisPrefix, () => (queueRedis !== redis ? queueRedis.disconnect() : undefined));
  const metrics = createMetrics();
  registerOutboxGauges(metrics.registry, orm.em);
  registerSearchGauges(metrics.registry, orm.em);
  registerCatalogSyncGauges(metrics.registry, orm.em);
  // Suppliers check request timestamps against their wall clock: the hub signs with wall time (tests may pin it).
  const connectors = createConnectors(config.suppliers, overrides.supplierNow);
  return {
    config,
    orm,
    redis,
    clock,
    logger,
    metrics,
    crypto,
    credentials,
    malls,
    rateLimiter: new RateLimiter(redis, config.redisPrefix),
    queues,
    intakeStore: new IntakeStore(orm.em.fork(), { maxBatch: config.intakeBatch.max, maxInFlight: config.intakeBatch.inFlight }),
    intakeLoad: new IntakeLoadMeter(queueRedis, config.redisPrefix, { flushEveryMs: config.intakeLoadEveryMs }),
    committedJobs: new CommittedJobDispatcher(orm.em.fork(), queues, (err) =>
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'committed jobs left to the outbox relay'), { lingerMs: config.jobDispatchLingerMs, leaveToRelay: config.jobDispatch === 'relay' }),
    connectors,
    supplierHealth: new SupplierHealthShare(queueRedis, config.redisPrefix, connectors, { everyMs: config.supplierHealthEveryMs, now: () => clock.now().getTime() }),
    ...(overrides.supplierNow ? { supplierNow: overrides.supplierNow } : {}),
    offerCache: new OfferCache(config.availabilityCacheMs, clock),
    // Two batches of one mall may run at once on a worker, each with `parallel` requests in flight.
    webhookAgent: webhookAgent({ allowPrivate: config.sandbox, connectionsPerOrigin: config.webhook.parallel * config.webhook.concurrency, connectTimeoutMs: config.webhook.timeoutMs }),
    supplierIds: [config.suppliers.jd.id, config.suppliers.taobao.id, ...config.suppliers.brands.map((b) => b.id), ...config.suppliers.topups.map((t) => t.id)],
  };
}

/** Closes what `buildDeps` opened. */
export async function closeDeps(deps: HubDeps): Promise<void> {
  await deps.committedJobs.flush();
  deps.intakeLoad.stop();
  deps.supplierHealth.stop();
  await deps.intakeLoad.flush().catch(() => undefined);
  await deps.queues.close();
  await deps.orm.close(true);
  deps.redis.disconnect();
  await deps.webhookAgent.close();
}
