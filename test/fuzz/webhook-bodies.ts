import { signBrandWebhook } from '../../connectors/brand/sign.ts';
import { signedPushBody } from '../../connectors/sandbox/taobao/pushes.ts';
import { callbackBody } from '../../connectors/sandbox/topup/lifecycle.ts';
import type { Config } from '../../src/config.ts';

/** A supplier webhook delivery: the raw body and the headers that sign it. */
export interface Delivery {
  body: string;
  headers: Record<string, string>;
}

/** The text fields a signed delivery carries, any of which the fuzzer may make hostile. */
export interface DeliveryFields {
  id: string;
  type: string;
  note: string;
}

/**
 * Signs deliveries the way each supplier does, with the secrets of the hub's own config, so
 * hostile content gets past the signature check and reaches what the route stores.
 */
export function webhookSigner(config: Config, now: () => Date) {
  const brandSecret = config.suppliers.brands.find((b) => b.id === 'brand-acme')?.webhookSecret as string;
  const topupSecret = config.suppliers.topups.find((t) => t.id === 'topup-fulu')?.appSecret as string;
  return {
    brand(f: DeliveryFields): Delivery {
      const body = JSON.stringify({ id: f.id, type: f.type, created: now().toISOString(), data: { orderId: 'BO-1', note: f.note } });
      return { body, headers: { 'content-type': 'application/json', 'x-brand-signature': signBrandWebhook(body, brandSecret, Math.floor(now().getTime() / 1000)) } };
    },
    taobao(f: DeliveryFields): Delivery {
      const body = signedPushBody(f.type, { fenxiao_id: '1', note: f.note }, f.id, now(), { appSecret: config.suppliers.taobao.appSecret, userId: 1, nick: f.note });
      return { body, headers: { 'content-type': 'application/json' } };
    },
    topup(f: DeliveryFields): Delivery {
      const body = JSON.stringify(callbackBody({ orderId: f.id, customerOrderNo: 'ref-1', status: f.type as never, description: f.note, finishedAt: now() }, topupSecret, now()));
      return { body, headers: { 'content-type': 'application/json' } };
    },
  };
}
export type WebhookSigner = ReturnType<typeof webhookSigner>;
