/** A mall's status: the keys of a suspended mall are refused (401 `unauthorized`). */
export const MALL_STATUSES = ['active', 'suspended'] as const;
export type MallStatus = (typeof MALL_STATUSES)[number];
