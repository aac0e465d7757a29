import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';

/**
 * scripts/run-services.js — what `npm start` and `npm run up` run: the three built services (dist/,
 * which `npm test` builds first) in one group that becomes ready together and stops together.
 */
const root = path.resolve(__dirname, '..', '..');
const READY_TIMEOUT_MS = 90_000;

interface Group {
  child: ChildProcess;
  ports: { ingest: number; processor: number; gateway: number };
  output: () => string;
  exited: Promise<number | null>;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => net.createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

/** The pid of the child of `parent` whose command line contains `script`. */
function childPidRunning(parent: ChildProcess, script: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parentPid === parent.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(script))
        return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error(`no child of ${parent.pid} runs ${script}`);
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function startGroup(infra: SuiteInfra): Promise<Group> {
  const [ingest = 0, processor = 0, gateway = 0] = await freePorts(3);
  let output = '';
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'run-services.js')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      MONGO_URL: infra.mongoUrl,
      REDIS_URL: infra.redisUrl,
      AMQP_URL: infra.amqpUrl,
      XRAY_NAMESPACE: infra.namespace,
      INGEST_HMAC_SECRET: randomBytes(32).toString('hex'),
      GATEWAY_ADMIN_API_KEY: `xk_test_${randomBytes(16).toString('hex')}`,
      INGEST_PORT: String(ingest),
      PROCESSOR_PORT: String(processor),
      GATEWAY_PORT: String(gateway),
      INGEST_HOST: '127.0.0.1',
      PROCESSOR_HOST: '127.0.0.1',
      GATEWAY_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the services did not become ready:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('[run] ready:')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`run-services exited with ${code} before it was ready:\n${output}`));
    });
  });
  await ready;
  return { child, ports: { ingest, processor, gateway }, output: () => output, exited };
}

describe('scripts/run-services.js', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('run-services'), (i) => i.dispose());
  });

  afterAll(() => disposables.disposeAll());

  const stopOnCleanup = (group: Group) =>
    disposables.add(group, async (g) => {
      if (g.child.exitCode === null && g.child.signalCode === null) {
        g.child.kill('SIGKILL');
        await g.exited;
      }
    });

  it(
    'starts all three services ready, and stops them all on SIGTERM with exit code 0',
    async () => {
      const group = stopOnCleanup(await startGroup(infra));
      const ports = Object.values(group.ports);
      const statuses = await Promise.all(
        ports.map((port) => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status)),
      );
      expect(statuses).toEqual([200, 200, 200]);

      group.child.kill('SIGTERM');
      expect(await group.exited).toBe(0);
      expect(group.output()).toContain('[run] stopped');
      expect(await Promise.all(ports.map(refusesConnections))).toEqual([true, true, true]);
    },
    2 * READY_TIMEOUT_MS,
  );

  it(
    'stops the others and exits 1 when one service dies',
    async () => {
      const group = stopOnCleanup(await startGroup(infra));
      process.kill(childPidRunning(group.child, 'dist/processor/main.js'), 'SIGKILL');

      expect(await group.exited).toBe(1);
      expect(group.output()).toMatch(/processor exited \(SIGKILL\); stopping the others/);
      expect(await Promise.all(Object.values(group.ports).map(refusesConnections))).toEqual([true, true, true]);
    },
    2 * READY_TIMEOUT_MS,
  );
});
