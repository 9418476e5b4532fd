import { randomBytes } from 'node:crypto';
import { signBrandWebhook } from '../../brand/sign.ts';
import type { EventType, OrderEventData, ReturnEventData, WebhookEvent } from '../../brand/wire.ts';
import type { CallbackSender } from '../common/callbacks.ts';

/** A signed webhook delivery: the headers and the exact bytes that were signed. */
export interface SignedDelivery {
  headers: Record<string, string>;
  rawBody: string;
}

/** Builds a brand event `{id, type, created, data}` with a fresh id. */
export function brandEvent(type: EventType, data: OrderEventData | ReturnEventData, created: Date): WebhookEvent {
  return { id: `evt_${randomBytes(8).toString('hex')}`, type, created: created.toISOString(), data };
}

/** Signs an event as the brand does: `X-Brand-Signature: t=<unix s>,v1=<hex HMAC>` over `t.body`. */
export function signedDelivery(event: WebhookEvent, secret: string, now: Date): SignedDelivery {
  const rawBody = JSON.stringify(event);
  return { headers: { 'content-type': 'application/json', 'x-brand-signature': signBrandWebhook(rawBody, secret, Math.floor(now.getTime() / 1000)) }, rawBody };
}

/**
 * Posts events to `${hubUrl}/webhooks/brand/{supplierId}` through the shared CallbackSender (at
 * least once, retried until a 2xx, with the callback faults). The body stays the same bytes on
 * every attempt, but the signature header is computed at each attempt, as a brand re-signs retries.
 */
export class BrandWebhookSender {
  readonly #callbacks: CallbackSender;
  readonly #url: string;
  readonly #secret: string;
  readonly #signingNow: () => Date;

  constructor(opts: { callbacks: CallbackSender; hubUrl: string; supplierId: string; secret: string; signingNow: () => Date }) {
    this.#callbacks = opts.callbacks;
    this.#url = `${opts.hubUrl.replace(/\/$/, '')}/webhooks/brand/${opts.supplierId}`;
    this.#secret = opts.secret;
    this.#signingNow = opts.signingNow;
  }

  /** Queues one event; the sandbox's tick (or the request that caused it) flushes the queue. */
  emit(type: EventType, data: OrderEventData | ReturnEventData, created: Date): WebhookEvent {
    const event = brandEvent(type, data, created);
    const rawBody = JSON.stringify(event);
    const secret = this.#secret;
    const signingNow = this.#signingNow;
    this.#callbacks.enqueue({
      url: this.#url,
      headers: {
        // A getter: CallbackSender spreads the headers at each attempt, so each gets a fresh t.
        get 'x-brand-signature'() {
          return signBrandWebhook(rawBody, secret, Math.floor(signingNow().getTime() / 1000));
        },
      },
      body: () => rawBody,
      accepted: (status) => status >= 200 && status < 300,
      about: { event: type, reference: data.clientReference ?? null, orderId: 'returnId' in data ? data.returnId : data.orderId },
    });
    return event;
  }

  /** A genuine delivery of an event as this sender would sign it now (for the hub's verification tests). */
  sign(event: WebhookEvent): SignedDelivery {
    return signedDelivery(event, this.#secret, this.#signingNow());
  }
}
