import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** A server the bench started in its own process (so its memory and CPU are its own). */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Peak resident memory of the process so far, in MiB (Linux VmHWM). */
  peakRssMiB(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts `node <args>` with extra env and waits until `<url>/healthz` answers 200. */
export async function startServerProcess(name: string, args: string[], env: Record<string, string>, url: string): Promise<ServerProcess> {
  // Something already answering there would pass the health check below in place of our server.
  if (await fetch(`${url}/healthz`).then(() => true, () => false)) throw new Error(`${name}: ${url} is taken by another process`);
  // stdout (access logs) goes nowhere, as to a log shipper that keeps up; errors stay visible.
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.pipe(process.stderr);
  // Never leave a server behind, whatever happens to the benchmark.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not up yet
    }
    if (i > 300 || child.exitCode !== null) {
      kill();
      throw new Error(`${name} did not start at ${url} (port taken? exit code ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid ?? 0,
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
