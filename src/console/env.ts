import type { Hono } from 'hono';
import type { AdminClient, HubFetch } from './admin-client.ts';
import type { StaffSession } from './api-types.ts';
import type { Flash } from './flash.ts';
import type { Lang, Translate } from './i18n/index.ts';

/** What the console is given by the hub when it is mounted (src/app.ts): nothing but HTTP to itself and a few settings. */
export interface ConsoleOptions {
  /** The hub's own HTTP API, in-process. */
  fetch: HubFetch;
  /** The hub's clock (SLA badges count from it, as the API's `overdue` does). */
  now: () => Date;
  /** Key of the CSRF tokens' HMAC. */
  csrfKey: string;
  /** The hub's public URL: a form posted from it is from the console's own origin too. */
  publicUrl: string;
  /** How long a session lasts (shown on the sign-in page). */
  sessionMs: number;
}

/** A signed-in request: who, in which language, and their client of the admin API. */
export interface Signed {
  me: StaffSession;
  api: AdminClient;
  csrf: string;
}

export interface ConsoleEnv {
  Variables: {
    /** Set by the hub's request-context middleware before the console runs. */
    requestId: string;
    lang: Lang;
    t: Translate;
    flash: Flash | null;
    signed: Signed;
  };
}

export type ConsoleApp = Hono<ConsoleEnv>;
