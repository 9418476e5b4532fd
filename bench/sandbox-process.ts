import { type ServerProcess, startServerProcess } from './server-process.ts';

export { peakRssMiB } from './server-process.ts';

/** A sandbox host in its own process (as in production: the hub talks to suppliers over HTTP). */
export type SandboxProcess = ServerProcess;

/**
 * Starts `hub sandbox` on a port and waits until it answers. A port already answering is refused,
 * so a second bench stops there instead of sharing (or dropping the database under) this one.
 * (Not 4190: fetch refuses that port, it is on the WHATWG "bad ports" list.)
 */
export function startSandboxProcess(env: Record<string, string>, port = 4180): Promise<SandboxProcess> {
  return startServerProcess('sandbox', ['src/cli.ts', 'sandbox'], { HUB_SANDBOX_PORT: String(port), HUB_LOG_LEVEL: 'warn', ...env }, `http://127.0.0.1:${port}`);
}
