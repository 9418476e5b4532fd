import type { components, operations } from '../../clients/typescript/schema.d.ts';

/*
 * What the console reads from the admin API, typed by the hub's own generated client
 * (clients/typescript/schema.d.ts, made from GET /openapi.json by `npm run client:generate`): the
 * console is a client of the documented API like any other, so a change to a route's answer that
 * breaks a page breaks the type check first. Type-only: nothing of it exists at run time.
 */

type S = components['schemas'];
type Ok<K extends keyof operations, C extends number> = operations[K]['responses'] extends Record<C, { content: { 'application/json': infer T } }> ? T : never;

export type Page<T> = { items: T[]; nextCursor: string | null };
export type ApiError = S['Error']['error'];

export type StaffSession = S['StaffSession'];
export type CreatedSession = Ok<'createStaffSession', 201>;
export type Ticket = S['StaffAftersaleTicket'];
export type TicketDetail = S['StaffAftersaleTicketDetail'];
export type TicketHistoryEntry = S['StaffAftersaleHistoryEntry'];
export type ResolveAnswer = S['ResolveAftersaleTicketResponse'];
export type OrderSummary = S['StaffOrderSummary'];
export type Order = S['StaffOrder'];
export type OrderLine = S['StaffOrderLine'];
export type TimelineEntry = S['OrderTimelineEntry'];
export type RefundResult = S['StaffRefundResult'];
export type CatalogItemExplained = Ok<'explainCatalogItem', 200>;
export type SupplierHealth = S['SupplierHealth'];
export type DeadLetter = S['DeadLetter'];
export type WebhookDelivery = S['WebhookDelivery'];
export type WebhookHealth = S['WebhookHealth'];
export type AuditEntry = S['AuditEntry'];
export type Mall = S['Mall'];
export type CreatedMall = S['CreateMallResponse'];
export type RotatedKey = S['RotateMallKeyResponse'];
export type RotatedSecret = S['RotateWebhookSecretResponse'];
export type TicketStatus = S['AftersaleTicketStatus'];
export type TicketType = S['AftersaleTicketType'];
export type DeliveryStatus = S['WebhookDeliveryStatus'];
export type ItemKind = S['ItemKind'];

/** GET /admin/board: the data board (built beside the console), typed by the document like the rest. */
export type Board = S['Board'];
export type BoardItem = S['BoardTopItem'];
