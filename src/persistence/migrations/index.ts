import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123_0001_Foundation } from './20261123-0001-foundation.ts';
import { Migration20261123_0002_Catalog } from './20261123-0002-catalog.ts';
import { Migration20261123_0003_MallPrices } from './20261123-0003-mall-prices.ts';
import { Migration20261123_0004_CatalogChanges } from './20261123-0004-catalog-changes.ts';
import { Migration20261123_0005_CatalogFreshness } from './20261123-0005-catalog-freshness.ts';
import { Migration20261123_0006_CatalogFillfactor } from './20261123-0006-catalog-fillfactor.ts';
import { Migration20261123_0007_Orders } from './20261123-0007-orders.ts';
import { Migration20261123_0008_MallItemCategory } from './20261123-0008-mall-item-category.ts';
import { Migration20261123_0009_WebhookDeliveries } from './20261123-0009-webhook-deliveries.ts';
import { Migration20261123_0010_Tracking } from './20261123-0010-tracking.ts';
import { Migration20261206_0011_WebhookLease } from './20261206-0011-webhook-lease.ts';
import { Migration20261206_0012_TrackingScanKey } from './20261206-0012-tracking-scan-key.ts';
import { Migration20261206_0013_WorkflowCompensation } from './20261206-0013-workflow-compensation.ts';
import { Migration20261207_0014_OrderListing } from './20261207-0014-order-listing.ts';
import { Migration20261207_0015_LineIssuedVouchers } from './20261207-0015-line-issued-vouchers.ts';
import { Migration20261208_0016_AftersaleTickets } from './20261208-0016-aftersale-tickets.ts';
import { Migration20261209_0017_AftersaleStaff } from './20261209-0017-aftersale-staff.ts';
import { Migration20261210_0018_AftersaleResolution } from './20261210-0018-aftersale-resolution.ts';
import { Migration20261211_0019_StaffOrderSearch } from './20261211-0019-staff-order-search.ts';
import { Migration20261214_0022_TicketReplacement } from './20261214-0022-ticket-replacement.ts';

/** Every migration in order. Listed explicitly so the same code runs from source, tests and Docker. */
export const migrationsList: MigrationObject[] = [
  { name: '20261123-0001-foundation', class: Migration20261123_0001_Foundation },
  { name: '20261123-0002-catalog', class: Migration20261123_0002_Catalog },
  { name: '20261123-0003-mall-prices', class: Migration20261123_0003_MallPrices },
  { name: '20261123-0004-catalog-changes', class: Migration20261123_0004_CatalogChanges },
  { name: '20261123-0005-catalog-freshness', class: Migration20261123_0005_CatalogFreshness },
  { name: '20261123-0006-catalog-fillfactor', class: Migration20261123_0006_CatalogFillfactor },
  { name: '20261123-0007-orders', class: Migration20261123_0007_Orders },
  { name: '20261123-0008-mall-item-category', class: Migration20261123_0008_MallItemCategory },
  { name: '20261123-0009-webhook-deliveries', class: Migration20261123_0009_WebhookDeliveries },
  { name: '20261123-0010-tracking', class: Migration20261123_0010_Tracking },
  { name: '20261206-0011-webhook-lease', class: Migration20261206_0011_WebhookLease },
  { name: '20261206-0012-tracking-scan-key', class: Migration20261206_0012_TrackingScanKey },
  { name: '20261206-0013-workflow-compensation', class: Migration20261206_0013_WorkflowCompensation },
  { name: '20261207-0014-order-listing', class: Migration20261207_0014_OrderListing },
  { name: '20261207-0015-line-issued-vouchers', class: Migration20261207_0015_LineIssuedVouchers },
  { name: '20261208-0016-aftersale-tickets', class: Migration20261208_0016_AftersaleTickets },
  { name: '20261209-0017-aftersale-staff', class: Migration20261209_0017_AftersaleStaff },
  { name: '20261210-0018-aftersale-resolution', class: Migration20261210_0018_AftersaleResolution },
  { name: '20261211-0019-staff-order-search', class: Migration20261211_0019_StaffOrderSearch },
  { name: '20261214-0022-ticket-replacement', class: Migration20261214_0022_TicketReplacement },
];
