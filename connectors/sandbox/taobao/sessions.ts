import type { FaultConfig, Faults } from '../common/faults.ts';

/**
 * Sessions the sandbox accepts. Under the expireTokens fault every session issued before that
 * fault was set counts as expired, so the connector must refresh once; the refreshed one works.
 */
export class TaobaoSessions {
  // Each session remembers the fault config current when it was issued (Faults.set replaces the object).
  readonly #issuedUnder = new Map<string, FaultConfig>();
  readonly #faults: Faults;
  readonly #base: string;
  #refreshes = 0;

  constructor(faults: Faults, initial: string) {
    this.#faults = faults;
    this.#base = initial;
    this.#issuedUnder.set(initial, faults.config);
  }

  /** Why a session is refused (TOP's sub_code), or undefined when it is good. */
  refusal(session: string | undefined): string | undefined {
    const issued = session ? this.#issuedUnder.get(session) : undefined;
    if (!issued) return 'invalid-sessionkey';
    const cfg = this.#faults.config;
    return cfg.expireTokens && issued !== cfg ? 'session-expired' : undefined;
  }

  /** Issues a fresh session (the refresh grant). */
  issue(): string {
    const session = `${this.#base}-r${++this.#refreshes}`;
    this.#issuedUnder.set(session, this.#faults.config);
    return session;
  }
}
