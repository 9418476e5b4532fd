import { type Context, Hono } from 'hono';
import { safeEqual } from '../../shared/safe-equal.ts';
import { isWithinSkew, parseUtc8Timestamp } from '../../shared/timestamp.ts';
import { verifyTaobaoSign } from '../../taobao/sign.ts';
import type { SandboxClock } from '../common/clock.ts';
import { type Faults, hang, sleep } from '../common/faults.ts';
import type { MethodHandler } from './method-env.ts';
import type { TaobaoSessions } from './sessions.ts';
import { errorBody, okBody, PLATFORM, TopFault } from './top-response.ts';

/** What the TOP gateway checks calls against. */
export interface RouterEnv {
  appKey: string;
  appSecret: string;
  refreshToken: string;
  userId: number;
  nick: string;
  /** Business time handed to the methods; the gateway's own checks (timestamp, rate limit) use wall time. */
  clock: SandboxClock;
  faults: Faults;
  sessions: TaobaoSessions;
  methods: Record<string, MethodHandler>;
  /** Counts supplier API requests (router and token), for requestCount(). */
  counted: () => void;
  /** Sends what state changes queued (pushes), without holding up the answer. */
  afterChange: () => void;
}

const MAX_SKEW_MS = 10 * 60_000;
const JSON_UTF8 = { 'content-type': 'application/json;charset=UTF-8' };

async function formParams(c: Context): Promise<Record<string, string>> {
  // TOP takes parameters from the query string and the form alike.
  const params: Record<string, string> = { ...c.req.query() };
  const form = await c.req.parseBody().catch(() => ({}));
  for (const [k, v] of Object.entries(form)) if (typeof v === 'string') params[k] = v;
  return params;
}

/**
 * The gateway's own checks, in TOP's order: app key, signature, timestamp, session. `wallNow` is
 * real time: TOP checks a call's timestamp against its own wall clock, as the hub signs with its
 * own, so advancing the sandbox clock never makes the gateway refuse the hub.
 */
function gate(env: RouterEnv, p: Record<string, string>, wallNow: Date): TopFault | undefined {
  if (p.app_key !== env.appKey) return PLATFORM.badAppKey();
  if (p.sign_method !== 'hmac-sha256' || !verifyTaobaoSign(p, env.appSecret)) return PLATFORM.badSign();
  const at = parseUtc8Timestamp(p.timestamp ?? '');
  if (!at || !isWithinSkew(at, wallNow, MAX_SKEW_MS)) return PLATFORM.badTimestamp(`timestamp ${p.timestamp} is more than 10 minutes off`);
  const refusal = env.sessions.refusal(p.session);
  return refusal ? PLATFORM.invalidSession(refusal) : undefined;
}

/** POST /router/rest (every TOP call) and POST /oauth/token (session refresh). */
export function topRouter(env: RouterEnv): Hono {
  const app = new Hono();
  const { faults } = env;

  app.post('/router/rest', async (c) => {
    env.counted();
    const answer = (body: object) => c.body(JSON.stringify(body), 200, JSON_UTF8);
    const cfg = faults.config;
    if (cfg.latencyMs) await sleep(cfg.latencyMs);
    if (faults.shouldHang()) await hang();
    const params = await formParams(c);
    const refused = gate(env, params, new Date());
    if (refused) return answer(errorBody(refused));
    if (faults.rateLimited(Date.now())) return answer(errorBody(PLATFORM.callLimited(1)));
    if (faults.shouldError(params.method)) return answer(errorBody(PLATFORM.busy()));
    const method = params.method ?? '';
    const handler = env.methods[method];
    if (!handler) return answer(errorBody(PLATFORM.badMethod(method)));
    let inner: object;
    try {
      // Business time: orders and refunds are stamped, and start_modified compared, on the sandbox clock.
      inner = handler.run(params, env.clock.now());
    } catch (err) {
      if (err instanceof TopFault) return answer(errorBody(err));
      throw err;
    }
    env.afterChange();
    // The write happened; under this fault its answer is lost and the caller times out.
    if (handler.write && faults.shouldLoseAnswer()) await hang();
    return answer(okBody(method, inner));
  });

  app.post('/oauth/token', async (c) => {
    env.counted();
    if (faults.config.latencyMs) await sleep(faults.config.latencyMs);
    const p = await formParams(c);
    if (p.grant_type !== 'refresh_token') return c.json({ error: 'unsupported_grant_type', error_description: 'only refresh_token is supported' }, 400);
    if (p.client_id !== env.appKey || !safeEqual(p.client_secret ?? '', env.appSecret)) return c.json({ error: 'invalid_client', error_description: 'client_id or client_secret is wrong' }, 401);
    if (!safeEqual(p.refresh_token ?? '', env.refreshToken)) return c.json({ error: 'invalid_grant', error_description: 'refresh_token is invalid or expired' }, 400);
    return c.json({
      access_token: env.sessions.issue(),
      token_type: 'Bearer',
      expires_in: 86_400,
      refresh_token: env.refreshToken,
      re_expires_in: 2_592_000,
      taobao_user_id: String(env.userId),
      taobao_user_nick: env.nick,
    });
  });

  return app;
}
