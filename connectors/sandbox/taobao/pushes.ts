import { toSignableParams } from '../../shared/sorted-params.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
import { signTaobao } from '../../taobao/sign.ts';
import type { CallbackAbout, CallbackSender } from '../common/callbacks.ts';

/** Who pushes: the app secret that signs, and the seller account TOP names in each push. */
export interface PushIdentity {
  appSecret: string;
  userId: number;
  nick: string;
}

/** A push body exactly as TOP sends it: `{topic, content, pub_time, user_id, nick, msg_id, sign}`. */
export function signedPushBody(topic: string, content: object, msgId: string, pubTime: Date, who: PushIdentity): string {
  const fields = { topic, content: JSON.stringify(content), pub_time: formatUtc8Timestamp(pubTime), user_id: who.userId, nick: who.nick, msg_id: msgId };
  return JSON.stringify({ ...fields, sign: signTaobao(toSignableParams(fields) ?? {}, who.appSecret) });
}

/** Whether the hub's answer means "stored": TOP wants HTTP 200 and `{"success": true}`. */
export function pushAccepted(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    return (JSON.parse(body) as { success?: unknown }).success === true;
  } catch {
    return false;
  }
}

/**
 * Queues signed pushes to `${hubUrl}/webhooks/taobao`; each message keeps its msg_id across repeats.
 * `pub_time` is the send time on the wall clock (the hub checks it for freshness, as it would
 * TOP's); the business times (`modified`, trace steps) inside `content` are sandbox time.
 */
export class TaobaoPushes {
  readonly #url: string;
  readonly #callbacks: CallbackSender;
  readonly #who: PushIdentity;
  readonly #nextId: () => string;

  constructor(opts: { hubUrl: string; callbacks: CallbackSender; who: PushIdentity; nextId: () => string }) {
    this.#url = `${opts.hubUrl.replace(/\/$/, '')}/webhooks/taobao`;
    this.#callbacks = opts.callbacks;
    this.#who = opts.who;
    this.#nextId = opts.nextId;
  }

  /** Queues one message; it is signed again at each attempt so pub_time stays fresh. `about` names the order or refund, for the sandbox's record. */
  push(topic: string, content: object, about: Omit<CallbackAbout, 'event'> = {}): void {
    const msgId = this.#nextId();
    this.#callbacks.enqueue({
      url: this.#url,
      headers: {},
      body: () => signedPushBody(topic, content, msgId, new Date(), this.#who),
      accepted: pushAccepted,
      about: { event: topic, ...about },
    });
  }
}
