import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { say, sleep, waitFor } from './progress.ts';

/** The hub's processes as the chaos run names them. */
export type ProcessName = 'sandbox' | 'api-1' | 'api-2' | 'worker-1' | 'worker-2';

interface Spec {
  role: 'api' | 'worker' | 'sandbox';
  env: Record<string, string>;
  /** Where /healthz answers once it is up (workers serve no HTTP). */
  url?: string;
}

/** A process that ended without the run asking it to (a crash): a finding, and it is started again as a supervisor would. */
export interface UnexpectedExit {
  name: ProcessName;
  pid: number;
  code: number | null;
  signal: string | null;
  atSeconds: number;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; another process could take it before we bind, which start() then reports). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts, kills and restarts the hub's processes (`node src/cli.ts <role>`), each with its own
 * environment and its output appended to `<logDir>/<name>.log`. Only processes started here are
 * ever signalled, by their pid. A process that exits unasked is recorded and started again after a
 * second, as a supervisor (systemd, Kubernetes) would; `stopAll` SIGKILLs every one, and it also
 * runs on the harness's own exit, so nothing outlives the run.
 */
export class HubProcesses {
  readonly unexpectedExits: UnexpectedExit[] = [];
  readonly #specs = new Map<ProcessName, Spec>();
  readonly #children = new Map<ProcessName, ChildProcess>();
  /** Children the run killed on purpose (their exit is expected). */
  readonly #killing = new Set<ChildProcess>();
  readonly #logDir: string;
  readonly #elapsed: () => number;
  #stopping = false;

  constructor(logDir: string, elapsed: () => number) {
    this.#logDir = logDir;
    this.#elapsed = elapsed;
    process.once('exit', () => this.stopAllNow());
  }

  define(name: ProcessName, spec: Spec): void {
    this.#specs.set(name, spec);
  }

  pid(name: ProcessName): number | undefined {
    return this.#children.get(name)?.pid;
  }

  isUp(name: ProcessName): boolean {
    const c = this.#children.get(name);
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  /** Starts a defined process and waits until it is up (/healthz 200, or a worker still running after 2 s). */
  async start(name: ProcessName): Promise<void> {
    const spec = this.#specs.get(name);
    if (!spec) throw new Error(`no process ${name} defined`);
    if (spec.url && (await fetch(`${spec.url}/healthz`).then(() => true, () => false))) throw new Error(`${name}: ${spec.url} is taken by another process`);
    const log = openSync(join(this.#logDir, `${name}.log`), 'a');
    const child = spawn(process.execPath, ['src/cli.ts', spec.role], { env: { ...process.env, ...spec.env }, stdio: ['ignore', log, log] });
    closeSync(log);
    this.#children.set(name, child);
    child.once('exit', (code, signal) => {
      if (this.#killing.delete(child) || this.#stopping) return;
      this.unexpectedExits.push({ name, pid: child.pid ?? 0, code, signal, atSeconds: Math.round(this.#elapsed()) });
      say('process', `${name} (pid ${child.pid}) exited on its own (code ${code}, signal ${signal}); starting it again — see ${name}.log`);
      void sleep(1_000).then(() => (this.#stopping || this.#children.get(name) !== child ? undefined : this.start(name).catch((err: unknown) => say('process', `${name} did not come back: ${String(err)}`))));
    });
    if (spec.url) {
      const url = spec.url;
      await waitFor(`${name} to answer /healthz`, async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} while starting (see ${name}.log)`);
        return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false)) ? true : undefined;
      }, 60_000, 200);
    } else {
      await sleep(2_000);
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} while starting (see ${name}.log)`);
    }
  }

  /** SIGKILL (no shutdown hook runs, as when a host dies) and wait for the exit. */
  async kill(name: ProcessName): Promise<number | undefined> {
    const child = this.#children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return undefined;
    this.#killing.add(child);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
    return child.pid;
  }

  /** Starts again every defined process that is not running (after the faults, before settling). */
  async ensureAllUp(): Promise<ProcessName[]> {
    const started: ProcessName[] = [];
    for (const name of this.#specs.keys()) {
      if (this.isUp(name)) continue;
      await this.start(name);
      started.push(name);
    }
    return started;
  }

  /** SIGKILLs every process started here, and waits for them to be gone. */
  async stopAll(): Promise<void> {
    this.#stopping = true;
    const exits = [...this.#children.values()].filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise<void>((r) => c.once('exit', () => r())));
    this.stopAllNow();
    await Promise.race([Promise.all(exits), sleep(5_000)]);
  }

  /** The synchronous part of stopAll, for process exit handlers. */
  stopAllNow(): void {
    this.#stopping = true;
    for (const c of this.#children.values()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}
