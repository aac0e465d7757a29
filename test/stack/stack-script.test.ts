import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { Disposables } from '../support/disposables';

/**
 * scripts/stack.sh on a second, private stack (own folder, own ports), so the shared stack the
 * other suites use is never touched: `up` twice is harmless, and `down` then `up` keeps what
 * MongoDB (FerretDB on PostgreSQL), Redis and RabbitMQ stored.
 */
const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
const stackScript = path.join(root, 'scripts', 'stack.sh');
const STACK_STEP_TIMEOUT_MS = 240_000;

interface StackUrls {
  MONGO_URL: string;
  REDIS_URL: string;
  AMQP_URL: string;
}

/** `count` distinct free ports: all are held open at once, so the system cannot hand one out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => net.createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
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

function parseUrls(stdout: string): StackUrls {
  const values = Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^(MONGO_URL|REDIS_URL|AMQP_URL)=(.+)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1], match[2]]),
  );
  if (!values.MONGO_URL || !values.REDIS_URL || !values.AMQP_URL)
    throw new Error(`stack.sh up printed no URLs:\n${stdout}`);
  return values as unknown as StackUrls;
}

describe('scripts/stack.sh', () => {
  const disposables = new Disposables();
  const stackDir = mkdtempSync(path.join(os.tmpdir(), 'xrayiot-stack-test-'));
  let env: NodeJS.ProcessEnv = {};
  let ports: Record<'pg' | 'mongo' | 'redis' | 'amqp' | 'mgmt' | 'dist', number>;
  let firstUrls: StackUrls;
  const marker = `kept-${Date.now()}`;

  const stack = async (command: 'up' | 'down' | 'status') => {
    const { stdout, stderr } = await run('bash', [stackScript, command], {
      env,
      cwd: root,
      timeout: STACK_STEP_TIMEOUT_MS,
    });
    return { stdout, stderr };
  };

  beforeAll(async () => {
    // The service users (postgres, rabbitmq) keep their data here, so they must be able to enter it.
    chmodSync(stackDir, 0o755);
    disposables.add(stackDir, (dir) => rmSync(dir, { recursive: true, force: true }));
    const [pg = 0, mongo = 0, redis = 0, amqpPort = 0, mgmt = 0, dist = 0] = await freePorts(6);
    ports = { pg, mongo, redis, amqp: amqpPort, mgmt, dist };
    const sharedFerretdb = path.join(process.env.XRAY_STACK_DIR ?? path.join(root, '.stack'), 'bin', 'ferretdb');
    const { MONGO_URL: _m, REDIS_URL: _r, AMQP_URL: _a, RABBITMQ_MANAGEMENT_URL: _h, ...inherited } = process.env;
    env = {
      ...inherited,
      XRAY_STACK_DIR: stackDir,
      XRAY_STACK_DOCKER: '0',
      XRAY_STACK_PG_PORT: String(ports.pg),
      XRAY_STACK_MONGO_PORT: String(ports.mongo),
      XRAY_STACK_REDIS_PORT: String(ports.redis),
      XRAY_STACK_AMQP_PORT: String(ports.amqp),
      XRAY_STACK_AMQP_MGMT_PORT: String(ports.mgmt),
      XRAY_STACK_AMQP_DIST_PORT: String(ports.dist),
      XRAY_STACK_FERRETDB_POOL: '20',
      // Building FerretDB takes minutes; the shared stack built it already.
      ...(existsSync(sharedFerretdb) ? { XRAY_FERRETDB_BIN: sharedFerretdb } : {}),
    };
    // Whatever happens in the tests, this stack is stopped and its folder removed.
    disposables.add(undefined, () => stack('down').then(() => undefined));
  }, STACK_STEP_TIMEOUT_MS);

  afterAll(() => disposables.disposeAll(), STACK_STEP_TIMEOUT_MS);

  it(
    'starts every service on its own ports, prints the URLs and writes them to the env file',
    async () => {
      const { stdout } = await stack('up');
      firstUrls = parseUrls(stdout);
      expect(firstUrls).toEqual({
        MONGO_URL: `mongodb://127.0.0.1:${ports.mongo}/xrayiot`,
        REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
        AMQP_URL: `amqp://guest:guest@127.0.0.1:${ports.amqp}`,
      });
      const envFile = readFileSync(path.join(stackDir, 'env'), 'utf8');
      expect(envFile).toContain(`export MONGO_URL='${firstUrls.MONGO_URL}'`);
      expect(envFile).toContain(`export RABBITMQ_MANAGEMENT_URL='http://guest:guest@127.0.0.1:${ports.mgmt}'`);
    },
    STACK_STEP_TIMEOUT_MS,
  );

  it(
    'leaves a running stack as it is when started again',
    async () => {
      const pids = () =>
        ['ferretdb', 'redis', 'rabbitmq'].map((name) =>
          readFileSync(path.join(stackDir, 'run', `${name}.pid`), 'utf8'),
        );
      const before = pids();
      const { stdout, stderr } = await stack('up');
      expect(parseUrls(stdout)).toEqual(firstUrls);
      for (const name of ['postgresql', 'ferretdb', 'redis', 'rabbitmq'])
        expect(stderr).toContain(`${name} already running`);
      expect(pids()).toEqual(before);
    },
    STACK_STEP_TIMEOUT_MS,
  );

  it(
    'keeps documents, Redis keys and queued messages across down and up',
    async () => {
      const mongo = await mongoose
        .createConnection(firstUrls.MONGO_URL, { serverSelectionTimeoutMS: 10_000 })
        .asPromise();
      await mongo.collection('kept').insertOne({ marker });
      await mongo.close();
      const redis = new Redis(firstUrls.REDIS_URL);
      await redis.set('kept', marker);
      await redis.quit();
      const connection = await amqp.connect(firstUrls.AMQP_URL);
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue('kept.q', { durable: true });
      channel.sendToQueue('kept.q', Buffer.from(marker), { persistent: true });
      await channel.waitForConfirms();
      await connection.close();

      await stack('down');
      const refused = await Promise.all([ports.pg, ports.mongo, ports.redis, ports.amqp].map(refusesConnections));
      expect(refused).toEqual([true, true, true, true]);
      const { stdout: status } = await stack('status');
      expect(status).toMatch(/^postgresql down$/m);
      expect(status).toMatch(/^ferretdb {3}down$/m);

      const { stdout } = await stack('up');
      const urls = parseUrls(stdout);
      const mongoAgain = await mongoose
        .createConnection(urls.MONGO_URL, { serverSelectionTimeoutMS: 10_000 })
        .asPromise();
      const doc = await mongoAgain.collection('kept').findOne({ marker });
      await mongoAgain.close();
      const redisAgain = new Redis(urls.REDIS_URL);
      const value = await redisAgain.get('kept');
      await redisAgain.quit();
      const connectionAgain = await amqp.connect(urls.AMQP_URL);
      const channelAgain = await connectionAgain.createChannel();
      const message = await channelAgain.get('kept.q', { noAck: true });
      await connectionAgain.close();

      expect(doc?.marker).toBe(marker);
      expect(value).toBe(marker);
      expect(message && message.content.toString()).toBe(marker);
    },
    3 * STACK_STEP_TIMEOUT_MS,
  );
});
