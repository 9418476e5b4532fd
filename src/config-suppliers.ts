/**
 * Supplier accounts (the hub's own, shared by all malls in v1), read from the environment by
 * config.ts. Every account defaults to the built-in sandbox and its development credentials, so a
 * real supplier is one base URL and one set of credentials away; production refuses the defaults.
 */

export interface JdAccount { id: 'jd'; baseUrl: string; clientId: string; clientSecret: string; appKey: string; appSecret: string }
export interface TaobaoAccount { id: 'taobao'; baseUrl: string; appKey: string; appSecret: string; session: string; refreshToken: string }
export interface BrandAccount { id: string; baseUrl: string; apiKey: string; webhookSecret: string }
export interface TopupAccount { id: string; baseUrl: string; appKey: string; appSecret: string }

export interface SuppliersConfig {
  jd: JdAccount;
  taobao: TaobaoAccount;
  brands: BrandAccount[];
  topups: TopupAccount[];
  /** Per supplier request; a write that times out is looked up before it is retried. */
  timeoutMs: number;
  /** How long an open circuit stays open before a trial call. */
  breakerHalfOpenAfterMs: number;
  /** Names of variables still at their sandbox default (refused in production). */
  defaulted: string[];
}

const envKey = (id: string) => id.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/** Reads every supplier account; `sandboxUrl` is where the built-in sandboxes listen. */
export function parseSuppliers(env: Record<string, string | undefined>, sandboxUrl: string, timeoutMs: number, breakerHalfOpenAfterMs = 30_000): SuppliersConfig {
  const defaulted: string[] = [];
  const get = (name: string, fallback: string): string => {
    const v = env[name];
    if (v) return v;
    defaulted.push(name);
    return fallback;
  };
  const list = (name: string, fallback: string) => get(name, fallback).split(',').map((s) => s.trim()).filter(Boolean);
  return {
    jd: {
      id: 'jd',
      baseUrl: get('JD_BASE_URL', `${sandboxUrl}/jd`),
      clientId: get('JD_CLIENT_ID', 'sandbox-jd-client'),
      clientSecret: get('JD_CLIENT_SECRET', 'sandbox-jd-client-secret'),
      appKey: get('JD_APP_KEY', 'sandbox-jd-app'),
      appSecret: get('JD_APP_SECRET', 'sandbox-jd-secret'),
    },
    taobao: {
      id: 'taobao',
      baseUrl: get('TAOBAO_BASE_URL', `${sandboxUrl}/taobao`),
      appKey: get('TAOBAO_APP_KEY', 'sandbox-tb-app'),
      appSecret: get('TAOBAO_APP_SECRET', 'sandbox-tb-secret'),
      session: get('TAOBAO_SESSION', 'sandbox-tb-session'),
      refreshToken: get('TAOBAO_REFRESH_TOKEN', 'sandbox-tb-refresh'),
    },
    brands: list('HUB_BRAND_SUPPLIERS', 'brand-acme,brand-lumen').map((id) => ({
      id,
      baseUrl: get(`${envKey(id)}_BASE_URL`, `${sandboxUrl}/${id}`),
      apiKey: get(`${envKey(id)}_API_KEY`, `sandbox-${id}-key`),
      webhookSecret: get(`${envKey(id)}_WEBHOOK_SECRET`, `sandbox-${id}-webhook-secret`),
    })),
    topups: list('HUB_TOPUP_PROVIDERS', 'topup-fulu,topup-yike').map((id) => ({
      id,
      baseUrl: get(`${envKey(id)}_BASE_URL`, `${sandboxUrl}/${id}`),
      appKey: get(`${envKey(id)}_APP_KEY`, `sandbox-${id}-app`),
      appSecret: get(`${envKey(id)}_APP_SECRET`, `sandbox-${id}-secret`),
    })),
    timeoutMs,
    breakerHalfOpenAfterMs,
    defaulted: defaulted.filter((n) => !n.startsWith('HUB_')),
  };
}
