import type { Faults } from '../common/faults.ts';
import type { SandboxCatalog } from './catalog.ts';
import type { TaobaoLifecycle } from './lifecycle.ts';
import type { TaobaoState } from './state.ts';

/** One TOP method the sandbox serves: `run` answers the inner body or throws a TopFault. */
export interface MethodHandler {
  /** Writes are the calls whose answer the unknown-outcome fault loses after processing. */
  write: boolean;
  run(params: Readonly<Record<string, string>>, now: Date): object;
}

/** What method handlers work on. */
export interface MethodEnv {
  catalog: SandboxCatalog;
  state: TaobaoState;
  lifecycle: TaobaoLifecycle;
  /** The sandbox's faults (refund methods decide an after-sale's fate from them). */
  faults: Faults;
}
