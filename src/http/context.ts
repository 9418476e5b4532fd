import type { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import type { SupplierConnector } from '../../connectors/connector.ts';
import type { OfferCache } from '../catalog/availability.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import type { Clock } from '../domain/clock.ts';
import type { Principal } from '../domain/principal.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Orm } from '../persistence/orm.ts';
import type { CredentialStore } from '../persistence/credential-store.ts';
import type { MallStore } from '../persistence/mall-store.ts';
import type { IntakeStore } from '../persistence/intake-store.ts';
import type { CommittedJobDispatcher } from '../queues/outbox-relay.ts';
import type { QueueProducer } from '../queues/producer.ts';
import type { IntakeLoadMeter } from '../redis/intake-load.ts';
import type { RateLimiter } from '../redis/rate-limiter.ts';
import type { CryptoBox } from '../security/crypto-box.ts';

/** Everything the HTTP layer needs, built once in main.ts (or by a test) and shared by requests. */
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
  offerCache: OfferCache;
  /** Kept-alive connections to malls' webhook endpoints (see webhooks/http-agent.ts). */
  webhookAgent: Dispatcher;
  /** The time supplier signatures are checked against (a sandbox's clock may run ahead in tests). */
  supplierNow?: () => Date;
}

/** Hono environment: per-request variables set by the middleware. */
export interface HubEnv {
  Variables: {
    deps: HubDeps;
    requestId: string;
    logger: Logger;
    /** A request-scoped EntityManager (its own identity map). */
    em: EntityManager;
    principal: Principal;
  };
}
