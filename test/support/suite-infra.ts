import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';

/** The infrastructure one test suite uses: its own database, vhost and Redis namespace. */
export interface SuiteInfra {
  /** Mongo URL naming a database of this suite alone. */
  mongoUrl: string;
  redisUrl: string;
  /** AMQP URL of a vhost of this suite alone (so queues with fixed names never collide). */
  amqpUrl: string;
  /** `XRAY_NAMESPACE` of this suite (prefix of Redis keys and channels). */
  namespace: string;
  /** Drops the database and the vhost. */
  dispose(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run the integration tests through jest (test/support/global-setup.ts)`);
  return value;
}

async function managementRequest(method: 'PUT' | 'DELETE', apiPath: string, body?: unknown): Promise<void> {
  const base = new URL(required('RABBITMQ_MANAGEMENT_URL'));
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString(
    'base64',
  );
  const url = `${base.protocol}//${base.host}${apiPath}`;
  const response = await fetch(url, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
    throw new Error(`RabbitMQ management ${method} ${apiPath}: HTTP ${response.status} ${await response.text()}`);
  }
}

/** Creates this suite's database name, vhost and namespace. Call in `beforeAll`; dispose in `afterAll`. */
export async function createSuiteInfra(suiteName: string): Promise<SuiteInfra> {
  const id = `${suiteName.replace(/[^A-Za-z0-9]/g, '_').slice(0, 24)}_${randomBytes(4).toString('hex')}`;
  const mongoUrl = new URL(required('MONGO_URL'));
  mongoUrl.pathname = `/t_${id}`;
  const amqpUrl = new URL(required('AMQP_URL'));
  const vhost = `t_${id}`;
  amqpUrl.pathname = `/${encodeURIComponent(vhost)}`;
  const amqpUser = decodeURIComponent(amqpUrl.username || 'guest');
  await managementRequest('PUT', `/api/vhosts/${encodeURIComponent(vhost)}`, {});
  await managementRequest('PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(amqpUser)}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  return {
    mongoUrl: mongoUrl.toString(),
    redisUrl: required('REDIS_URL'),
    amqpUrl: amqpUrl.toString(),
    namespace: `t_${id}`,
    async dispose() {
      const connection = await mongoose.createConnection(mongoUrl.toString()).asPromise();
      try {
        await connection.dropDatabase();
      } finally {
        await connection.close();
      }
      await managementRequest('DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`);
    },
  };
}
