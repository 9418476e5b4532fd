import { Hono } from 'hono';
import { mallReceiver } from './mall-receiver.ts';

/** A simulated supplier mounted on the sandbox host under `/{id}`. */
export interface SandboxSupplier {
  id: string;
  kind: 'jd' | 'taobao' | 'brand' | 'topup';
  app: Hono;
}

/**
 * The sandbox host: one HTTP server carrying every simulated supplier under its own path, plus a
 * demo mall webhook receiver. The hub reaches it only through connectors, as it would a real supplier.
 */
export function createSandboxHost(suppliers: SandboxSupplier[]): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    c.json({
      sandbox: 'redemption-hub supplier sandbox',
      suppliers: suppliers.map((s) => ({ id: s.id, kind: s.kind, baseUrl: `/${s.id}` })),
      mallReceiver: '/mall-receiver/{name}',
    }),
  );
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.route('/mall-receiver', mallReceiver());
  for (const s of suppliers) app.route(`/${s.id}`, s.app);
  return app;
}
