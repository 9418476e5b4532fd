import type { EntityManager } from '@mikro-orm/postgresql';
import { repriceMall } from '../../catalog/mall-pricing.ts';
import type { Payload } from '../registry.ts';

/** Reprices one mall's whole catalog after its rule, points rate or selection changed (or it was created). */
export async function processMallPricing(job: Payload<'mallPricing'>, deps: { em: EntityManager }) {
  return (await repriceMall(deps.em, job.mallId)) ?? { items: 0, version: 0 };
}
