import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** A sandbox host in its own process (as in production: the hub talks to suppliers over HTTP). */
export interface SandboxProcess {
  url: string;
  child: ChildProcess;
  /** Peak resident memory of the sandbox process so far, in MiB (Linux VmHWM). */
  peakRssMiB(): Promise<number>;
  stop(): Promise<void>;
}

// (Not 4190: fetch refuses that port, it is on the WHATWG "bad ports" list.)
export async function startSandboxProcess(env: Record<string, string>, port = 4180): Promise<SandboxProcess> {
  // Another bench's sandbox on the port would answer the health check below in place of ours.
  if (await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false)) throw new Error(`port ${port} is taken (another sandbox running?)`);
  const child = spawn(process.execPath, ['src/cli.ts', 'sandbox'], {
    env: { ...process.env, HUB_SANDBOX_PORT: String(port), HUB_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.pipe(process.stderr);
  // Never leave a sandbox behind, whatever happens to the benchmark.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 100 || child.exitCode !== null) {
      kill();
      throw new Error(`sandbox process did not start on port ${port} (is it taken?)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    peakRssMiB: () => peakRssMiB(child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', kill);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Peak resident memory of a process (this one when pid is omitted), in MiB. */
export async function peakRssMiB(pid?: number): Promise<number> {
  const status = await readFile(`/proc/${pid ?? 'self'}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}
