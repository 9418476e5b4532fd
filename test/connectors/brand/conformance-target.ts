import type { BrandSupplierId } from '../../../connectors/sandbox/brand/index.ts';
import type { ConformanceTarget } from '../conformance/target.ts';
import { BEIJING, findSku, startBrandRig } from './harness.ts';

function brandTarget(id: BrandSupplierId): ConformanceTarget {
  return {
    name: id,
    async start({ seed, skus }) {
      const rig = await startBrandRig({ id, seed, skus });
      const orderedSku = findSku(id, { seed, skus, kind: 'physical' });
      return {
        connector: rig.connector,
        // Brands authenticate with a bearer key, not a request signature: a wrong key is auth_failed.
        connectorWithWrongSecret: rig.connectorWithWrongKey,
        sandbox: rig.sandbox,
        expectedCatalogSize: skus,
        orderRequest: (reference) => ({ reference, lines: [{ supplierSkuId: orderedSku, quantity: 1 }], recipient: BEIJING }),
        orderedSku,
        signedWebhook: () => rig.sandbox.sampleWebhook(),
        stop: () => rig.stop(),
      };
    },
  };
}

/** The conformance suite's handle on brand-acme. */
export const conformanceTarget: ConformanceTarget = brandTarget('brand-acme');

/** The same code for a second brand, brand-lumen: the suite runs both. */
export const conformanceTargetLumen: ConformanceTarget = brandTarget('brand-lumen');
