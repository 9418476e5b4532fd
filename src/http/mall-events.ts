import { z } from '@hono/zod-openapi';
import { DELIVERY_RULES, MALL_EVENT_DOCS, MALL_EVENT_SCHEMAS, MALL_EVENT_TYPES, type MallEventBody, type MallEventType } from '../mall-webhooks/event-schemas.ts';
import type { HubApp } from './app-type.ts';

/*
 * The events to malls in the OpenAPI document: each type's schema (src/mall-webhooks/event-schemas.ts)
 * as a named component, their union as `MallEvent` (what GET /v1/events lists), and one entry per
 * type in the document's `webhooks` section, with the headers every delivery carries.
 */

/**
 * Each event type's schema, named (`OrderAcceptedEvent`, …), with its summary and example: a new
 * object of the same shape, made with the OpenAPI-aware zod (the capability's schemas may be built
 * before this module extends zod, and then have no `.openapi`).
 */
export const NAMED_EVENT_SCHEMAS = Object.fromEntries(
  MALL_EVENT_DOCS.map((d) => [d.type, z.object(MALL_EVENT_SCHEMAS[d.type].shape).openapi(d.name, { description: `\`${d.type}\`: ${d.summary}. ${d.description}`, example: d.example })]),
) as unknown as { [T in MallEventType]: z.ZodType<MallEventBody<T>> };

const EVENT_SCHEMA_LIST = MALL_EVENT_TYPES.map((t) => NAMED_EVENT_SCHEMAS[t]) as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]];

/** An event as a webhook delivers it and GET /v1/events lists it: one of the types, told apart by `type`. */
export const MallEventBodySchema = z
  .discriminatedUnion('type', EVENT_SCHEMA_LIST)
  .openapi('MallEvent', {
    description: `One event, by \`type\`; each type is described under \`webhooks\`. ${DELIVERY_RULES}`,
    discriminator: { propertyName: 'type', mapping: Object.fromEntries(MALL_EVENT_DOCS.map((d) => [d.type, `#/components/schemas/${d.name}`])) },
  }) as unknown as z.ZodType<MallEventBody>;
export type MallEventView = MallEventBody;

/** A type of event, as GET /v1/events filters on it. */
export const MallEventTypeSchema = z.enum(MALL_EVENT_TYPES as [MallEventType, ...MallEventType[]]).openapi('MallEventType', { description: 'The type of an event', example: 'line.shipped' });

/** The headers of every delivery (Standard Webhooks). */
const DeliveryHeaders = z.object({
  'webhook-id': z.string().openapi({ param: { name: 'webhook-id', in: 'header', required: true, description: 'The event id (the body’s `id`), the same on every retry: deduplicate on it', example: 'evt_0196f0c1a2b37d4e8f9a0b1c2d3e4f50' } }),
  'webhook-timestamp': z.string().regex(/^\d+$/).openapi({ param: { name: 'webhook-timestamp', in: 'header', required: true, description: 'Unix time in seconds of this attempt (refuse one more than 5 minutes off your clock)', example: '1796088600' } }),
  'webhook-signature': z.string().openapi({
    param: {
      name: 'webhook-signature', in: 'header', required: true,
      description: '`v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` keyed with the bytes of your secret (base64 after `whsec_`); two space-separated signatures while a rotated secret still signs. Verify the raw body bytes before parsing them',
      example: 'v1,VDeQbfOayv2YJCNIHhfOIJ4CNScbPq6gAUkdl0egitE=',
    },
  }),
  'user-agent': z.string().optional().openapi({ param: { name: 'user-agent', in: 'header', description: 'redemption-hub-webhooks/1', example: 'redemption-hub-webhooks/1' } }),
});

/** Registers every event type in the document's `webhooks` section (OpenAPI 3.1). */
export function registerMallEventWebhooks(app: HubApp): void {
  for (const doc of MALL_EVENT_DOCS) {
    app.openAPIRegistry.registerWebhook({
      method: 'post',
      path: doc.type,
      operationId: `webhook_${doc.type.replace(/\W/g, '_')}`,
      tags: ['Events'],
      // The hub calls the mall: no bearer token, the body is signed (the webhook-signature header).
      security: [],
      summary: `${doc.type}: ${doc.summary}`,
      description: `${doc.description}\n\n${DELIVERY_RULES}`,
      request: {
        headers: DeliveryHeaders,
        body: { required: true, content: { 'application/json': { schema: NAMED_EVENT_SCHEMAS[doc.type], example: doc.example } } },
      },
      responses: {
        200: { description: 'Any 2xx within 15 s acknowledges the delivery; store the event and process it afterwards' },
        410: { description: 'Gone: disables the mall’s endpoint (nothing more is sent until an admin re-enables it). Answer it only when you mean it' },
        default: { description: 'Anything else (or no answer within 15 s) is a failed attempt, retried later with the same `webhook-id`' },
      },
    });
  }
}
