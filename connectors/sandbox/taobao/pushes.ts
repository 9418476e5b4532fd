import { toSignableParams } from '../../shared/sorted-params.ts';
import { formatUtc8Timestamp } from '../../shared/timestamp.ts';
import { signTaobao } from '../../taobao/sign.ts';
import type { CallbackSender } from '../common/callbacks.ts';
import type { SandboxClock } from '../common/clock.ts';

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

/** Queues signed pushes to `${hubUrl}/webhooks/taobao`; each message keeps its msg_id across repeats. */
export class TaobaoPushes {
  readonly #url: string;
  readonly #callbacks: CallbackSender;
  readonly #clock: SandboxClock;
  readonly #who: PushIdentity;
  readonly #nextId: () => string;

  constructor(opts: { hubUrl: string; callbacks: CallbackSender; clock: SandboxClock; who: PushIdentity; nextId: () => string }) {
    this.#url = `${opts.hubUrl.replace(/\/$/, '')}/webhooks/taobao`;
    this.#callbacks = opts.callbacks;
    this.#clock = opts.clock;
    this.#who = opts.who;
    this.#nextId = opts.nextId;
  }

  /** Queues one message; it is signed again at each attempt so pub_time stays fresh. */
  push(topic: string, content: object): void {
    const msgId = this.#nextId();
    this.#callbacks.enqueue({
      url: this.#url,
      headers: {},
      body: () => signedPushBody(topic, content, msgId, this.#clock.now(), this.#who),
      accepted: pushAccepted,
    });
  }
}
