import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

/** A processor running as a real child process (`processor/main.ts`), so a test can SIGKILL it. */
export interface ChildProcessor {
  process: ChildProcess;
  /** Resolves with the base URL of its ops endpoints once it started. */
  started: Promise<string>;
  /** Resolves with the exit code (or signal) once it exited. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** Its log lines so far (JSON). */
  logs: string[];
}

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Starts `processor/main.ts` with `env`; register it for disposal, then await `started`. */
export function spawnProcessor(env: Record<string, string>, startTimeoutMs = 60_000): ChildProcessor {
  const child = spawn(
    process.execPath,
    [path.join(__dirname, 'run-typescript.cjs'), path.join(ROOT, 'processor', 'main.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        LOG_LEVEL: env.LOG_LEVEL === 'silent' ? 'info' : (env.LOG_LEVEL ?? 'info'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: string[] = [];
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code));
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const started = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`processor did not start within ${startTimeoutMs} ms: ${stderr}`)),
      startTimeoutMs,
    );
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'processor started' && entry.port !== undefined) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${entry.port}`);
        }
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`processor exited (${String(code)}) before it started: ${stderr}`));
    });
  });
  started.catch(() => undefined);
  return { process: child, started, exited, logs };
}

/** Stops a child processor if it still runs (SIGKILL), for afterAll. */
export async function killProcessor(child: ChildProcessor): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await child.exited;
}
