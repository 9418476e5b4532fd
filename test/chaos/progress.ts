/** Progress lines on stdout, each with the seconds since the run started, so a CI log tells where a run spent its time. */
const started = Date.now();

export const elapsedSeconds = (): number => (Date.now() - started) / 1000;

export function say(phase: string, message: string): void {
  process.stdout.write(`[chaos ${elapsedSeconds().toFixed(1).padStart(6)}s] ${phase.padEnd(8)} ${message}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it returns a value (not undefined) or `timeoutMs` passes; throws naming `what` on timeout. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}
