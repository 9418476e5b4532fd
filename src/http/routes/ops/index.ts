import type { HubApp } from '../../app-type.ts';
import { registerGetHealthz } from './get-healthz.ts';
import { registerGetMetrics } from './get-metrics.ts';
import { registerGetReadyz } from './get-readyz.ts';

/** Operations routes (no auth). */
export function registerOpsRoutes(app: HubApp): void {
  registerGetHealthz(app);
  registerGetReadyz(app);
  registerGetMetrics(app);
}
