/**
 * Runs one deployable in its own process for the bench: `node service-host.js <ingest|processor|gateway>`.
 * Loads the service's own config module from the environment, starts it as its bootstrap would, and
 * tells the parent (over IPC) where it listens. Stops gracefully on 'stop' or SIGTERM.
 */
import path from 'node:path';
import { createLogger, type RunningService } from '../schema';

type ServiceKind = 'ingest' | 'processor' | 'gateway';
const KINDS: ReadonlyArray<ServiceKind> = ['ingest', 'processor', 'gateway'];

function send(message: unknown): void {
  if (process.send) process.send(message);
}

async function main(): Promise<void> {
  const kind = process.argv[2] as ServiceKind;
  if (!KINDS.includes(kind)) throw new Error(`usage: service-host <${KINDS.join('|')}>`);
  const capitalized = kind[0]!.toUpperCase() + kind.slice(1);
  // The deployables are CommonJS; a computed require keeps this host independent of their internals.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const configModule = require(path.join(__dirname, '..', kind, 'config')) as Record<string, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const serviceModule = require(path.join(__dirname, '..', kind, `${kind}.service`)) as Record<string, unknown>;
  const load = configModule[`load${capitalized}Config`];
  const start = serviceModule[`start${capitalized}`];
  if (typeof load !== 'function' || typeof start !== 'function') {
    throw new Error(`${kind}: load${capitalized}Config or start${capitalized} not found`);
  }
  const config = (load as (env: NodeJS.ProcessEnv) => { logLevel?: string })(process.env);
  const logger = createLogger(kind, process.env.LOG_LEVEL ?? 'warn');
  const running = (await (start as (config: unknown, deps: unknown) => Promise<RunningService>)(config, {
    logger,
  })) as RunningService;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await running.close();
    } finally {
      send({ type: 'stopped' });
      process.exit(0);
    }
  };
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stop') void stop();
    // What the process retains: a full collection first (the bench starts services with
    // --expose-gc), so garbage not yet collected does not count.
    if (message?.type === 'retained-memory') {
      const collect = (globalThis as { gc?: () => void }).gc;
      collect?.();
      const usage = process.memoryUsage();
      send({
        type: 'retained-memory',
        collected: collect !== undefined,
        rss: usage.rss,
        heapUsed: usage.heapUsed,
        external: usage.external,
      });
    }
  });
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  send({ type: 'ready', url: running.url, port: running.port });
}

main().catch((error: unknown) => {
  send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
