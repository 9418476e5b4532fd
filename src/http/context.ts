import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../domain/principal.ts';
import type { Logger } from '../observability/logger.ts';
import type { HubDeps } from '../deps.ts';

// HubDeps lives with the code that builds it (src/deps.ts); re-exported for the HTTP layer.
export type { HubDeps };

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
