import { BrandConnector } from '../connectors/brand/index.ts';
import type { SupplierConnector } from '../connectors/connector.ts';
import { JdConnector } from '../connectors/jd/index.ts';
import { TaobaoConnector } from '../connectors/taobao/index.ts';
import { TopupConnector } from '../connectors/topup/index.ts';
import type { SuppliersConfig } from './config-suppliers.ts';

/** One connector per configured supplier account, keyed by supplier id ('taobao', 'brand-acme', …). */
export function createConnectors(cfg: SuppliersConfig, now?: () => Date): Map<string, SupplierConnector> {
  const resilience = { breakerHalfOpenAfterMs: cfg.breakerHalfOpenAfterMs };
  const all: SupplierConnector[] = [
    new JdConnector({ id: 'jd', baseUrl: cfg.jd.baseUrl, credentials: cfg.jd, timeoutMs: cfg.timeoutMs, resilience, now }),
    new TaobaoConnector({ id: 'taobao', baseUrl: cfg.taobao.baseUrl, credentials: cfg.taobao, timeoutMs: cfg.timeoutMs, resilience, now }),
    ...cfg.brands.map((b) => new BrandConnector({ id: b.id, baseUrl: b.baseUrl, credentials: { apiKey: b.apiKey, webhookSecret: b.webhookSecret }, timeoutMs: cfg.timeoutMs, resilience, now })),
    ...cfg.topups.map((t) => new TopupConnector({ id: t.id, baseUrl: t.baseUrl, credentials: { appKey: t.appKey, appSecret: t.appSecret }, timeoutMs: cfg.timeoutMs, resilience, now })),
  ];
  return new Map(all.map((c) => [c.id, c]));
}
