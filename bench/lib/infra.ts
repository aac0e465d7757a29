import amqp from 'amqplib';
import mongoose, { type Connection } from 'mongoose';
import type { BenchConfig } from '../bench.config';

async function managementRequest(
  config: BenchConfig,
  method: 'PUT' | 'DELETE' | 'GET',
  apiPath: string,
  body?: unknown,
): Promise<unknown> {
  const base = new URL(config.managementUrl);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString(
    'base64',
  );
  const response = await fetch(`${base.protocol}//${base.host}${apiPath}`, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
    throw new Error(`RabbitMQ management ${method} ${apiPath}: HTTP ${response.status} ${await response.text()}`);
  }
  return method === 'GET' ? response.json() : undefined;
}

/** Deletes and recreates the bench vhost, so every scenario starts with empty queues. */
export async function resetVhost(config: BenchConfig): Promise<void> {
  const vhost = encodeURIComponent(config.vhost);
  const user = decodeURIComponent(new URL(config.amqpUrl).username || 'guest');
  await managementRequest(config, 'DELETE', `/api/vhosts/${vhost}`);
  await managementRequest(config, 'PUT', `/api/vhosts/${vhost}`, {});
  await managementRequest(config, 'PUT', `/api/permissions/${vhost}/${encodeURIComponent(user)}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
}

/** Removes the bench vhost. */
export async function deleteVhost(config: BenchConfig): Promise<void> {
  await managementRequest(config, 'DELETE', `/api/vhosts/${encodeURIComponent(config.vhost)}`);
}

/**
 * Messages waiting in a queue of the bench vhost, not yet delivered to a consumer, counted by the
 * broker now (an AMQP passive declare; the management API's figures lag by its statistics interval).
 */
export async function queueDepth(config: BenchConfig, queue: string): Promise<number> {
  const connection = await amqp.connect(config.amqpUrl);
  try {
    const channel = await connection.createChannel();
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}

/** Drops every message waiting in a queue of the bench vhost (so one measurement's backlog never delays the next). */
export async function purgeQueue(config: BenchConfig, queue: string): Promise<void> {
  await managementRequest(
    config,
    'DELETE',
    `/api/queues/${encodeURIComponent(config.vhost)}/${encodeURIComponent(queue)}/contents`,
  );
}

/** A connection to the bench database. */
export async function connectBenchDb(config: BenchConfig, maxPoolSize = 20): Promise<Connection> {
  return mongoose.createConnection(config.mongoUrl, { maxPoolSize, serverSelectionTimeoutMS: 15_000 }).asPromise();
}

/** Drops the bench database (the seeded data of scenario 4 lives in its own database, see seed.ts). */
export async function dropDatabase(url: string): Promise<void> {
  const connection = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 15_000 }).asPromise();
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
}
