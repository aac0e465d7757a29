import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ProfileTarget } from './scenario';

/** A process the bench started, with IPC. */
export interface BenchChild {
  name: string;
  pid: number;
  process: ChildProcess;
  /** The first message of type `ready`. */
  ready: Record<string, unknown>;
  /** Asks it to stop (IPC 'stop', then SIGTERM, then SIGKILL after `graceMs`); resolves when it exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves with the next IPC message of `type`. */
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  send(message: unknown): void;
}

/** Options of {@link forkBenchChild}. */
export interface ForkOptions {
  name: string;
  script: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Write a V8 CPU profile on exit (`--cpu-prof`) as `<dir>/<prefix><name>.<epoch ms>.cpuprofile`. */
  cpuProfile?: ProfileTarget;
  execArgv?: string[];
  readyTimeoutMs?: number;
}

/** Forks a node script that answers `{type:'ready', ...}` over IPC once it can be measured. */
export async function forkBenchChild(options: ForkOptions): Promise<BenchChild> {
  const execArgv = [...(options.execArgv ?? [])];
  if (options.cpuProfile) {
    mkdirSync(options.cpuProfile.dir, { recursive: true });
    execArgv.push(
      '--cpu-prof',
      `--cpu-prof-dir=${options.cpuProfile.dir}`,
      `--cpu-prof-name=${options.cpuProfile.prefix}${options.name}.${Date.now()}.cpuprofile`,
    );
  }
  const child = fork(options.script, options.args ?? [], {
    env: options.env ?? process.env,
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiters: Array<{
    type: string;
    resolve: (message: Record<string, unknown>) => void;
    reject: (error: Error) => void;
  }> = [];
  child.on('message', (message: Record<string, unknown>) => {
    const index = waiters.findIndex((waiter) => waiter.type === message.type || message.type === 'failed');
    if (index === -1) return;
    const [waiter] = waiters.splice(index, 1);
    if (message.type === 'failed' && waiter!.type !== 'failed')
      waiter!.reject(new Error(`${options.name} failed: ${String(message.error)}`));
    else waiter!.resolve(message);
  });
  child.once('exit', (code, signal) => {
    for (const waiter of waiters.splice(0))
      waiter.reject(new Error(`${options.name} exited (${code ?? signal}) before '${waiter.type}'`));
  });
  const next = <T>(type: string, timeoutMs = 60_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name}: no '${type}' within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiters.push({
        type,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  const stop = async (graceMs = 15_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  let ready: Record<string, unknown>;
  try {
    ready = await next('ready', options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    name: options.name,
    pid: child.pid!,
    process: child,
    ready,
    stop,
    next,
    send: (message) => child.send(message as never),
  };
}

/** A service under test in its own process. */
export interface ServiceProcess extends BenchChild {
  url: string;
}

/** Starts `ingest`, `processor` or `gateway` in its own process through bench/service-host. */
export async function startServiceProcess(
  kind: 'ingest' | 'processor' | 'gateway',
  env: NodeJS.ProcessEnv,
  cpuProfile?: ProfileTarget,
): Promise<ServiceProcess> {
  const child = await forkBenchChild({
    name: kind,
    script: path.join(__dirname, '..', 'service-host.js'),
    args: [kind],
    env,
    cpuProfile,
    // --expose-gc only lets the bench ask for a full collection before it reads retained memory.
    execArgv: ['--max-old-space-size=4096', '--expose-gc'],
  });
  return { ...child, url: String(child.ready.url) };
}

/** Stops children in reverse order of start, ignoring those already gone. */
export async function stopAll(children: ReadonlyArray<BenchChild | undefined>): Promise<void> {
  for (const child of [...children].reverse()) {
    if (child) await child.stop().catch(() => undefined);
  }
}
