import { ApiCredentialSchema } from './api-credential.ts';
import { AuditEntrySchema } from './audit-entry.ts';
import { InboundEventSchema } from './inbound-event.ts';
import { MallSchema } from './mall.ts';
import { MallEventSchema } from './mall-event.ts';

/** Every entity the ORM knows; the migrations in ../migrations create their tables. */
export const entities = [MallSchema, ApiCredentialSchema, AuditEntrySchema, MallEventSchema, InboundEventSchema];
