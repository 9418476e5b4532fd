import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxClock } from '../connectors/sandbox/common/clock.ts';
import { defaultLifecycle } from '../connectors/sandbox/common/context.ts';
import { serveOnLoopback } from '../connectors/sandbox/common/serve.ts';
import { createSandboxHost } from '../connectors/sandbox/host.ts';
import { createSandboxes } from '../connectors/sandbox/index.ts';
import { loadConfig } from '../src/config.ts';
import { createConnectors } from '../src/suppliers.ts';

let server: { url: string; close: () => Promise<void> };
let connectors: ReturnType<typeof createConnectors>;

beforeAll(async () => {
  // The hub's default supplier configuration and the sandboxes must agree on paths and credentials.
  const base = loadConfig({});
  const clock = new SandboxClock();
  const sandboxes = createSandboxes({ clock, seed: 3, skus: 200, hubUrl: 'http://127.0.0.1:9', lifecycle: defaultLifecycle }, base.suppliers);
  server = await serveOnLoopback(createSandboxHost(sandboxes, clock));
  connectors = createConnectors(loadConfig({ HUB_SANDBOX_URL: server.url, HUB_SUPPLIER_TIMEOUT_MS: '2000' }).suppliers, () => clock.now());
});
afterAll(() => server.close());

describe('built-in suppliers with the default configuration', () => {
  it('has a connector for every sandbox and each one pages its catalog', async () => {
    expect([...connectors.keys()].sort()).toEqual(['brand-acme', 'brand-lumen', 'jd', 'taobao', 'topup-fulu', 'topup-yike']);
    for (const c of connectors.values()) {
      const page = await c.listCatalog({ limit: 20 });
      expect(page.items.length, c.id).toBeGreaterThan(0);
    }
  });

  it('answers live offers for a Beijing address', async () => {
    const region = { province: '北京', city: '北京市', district: '朝阳区' };
    for (const c of connectors.values()) {
      const page = await c.listCatalog({ limit: 5 });
      const offers = await c.getOffers(page.items.map((i) => i.supplierSkuId), region);
      expect(offers.length, c.id).toBe(page.items.length);
    }
  });

  it('refuses sandbox credentials in production', () => {
    expect(() =>
      loadConfig({ HUB_ENV: 'production', HUB_TOKEN_PEPPER: 'x'.repeat(40), HUB_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}` }),
    ).toThrow(/TAOBAO_APP_SECRET/);
  });
});
