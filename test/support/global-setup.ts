import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Chooses the infrastructure for the integration tests, once per run:
 * 1. MONGO_URL, REDIS_URL and AMQP_URL from the environment, when all are set;
 * 2. otherwise real containers (mongo:7, redis:7, rabbitmq:3.13-management) when a Docker engine answers;
 * 3. otherwise the local stack (scripts/stack.sh up), which installs and starts what is missing.
 * The chosen URLs go into process.env, which the test workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGO_URL && process.env.REDIS_URL && process.env.AMQP_URL) {
    // Each suite gets its own vhost through the management API: say so now, not in every suite.
    if (!process.env.RABBITMQ_MANAGEMENT_URL) {
      throw new Error(
        'MONGO_URL, REDIS_URL and AMQP_URL are set: set RABBITMQ_MANAGEMENT_URL (the RabbitMQ management API) too',
      );
    }
    return;
  }
  if (await startContainersIfDockerAnswers()) return;
  const root = path.resolve(__dirname, '..', '..');
  execFileSync('bash', [path.join(root, 'scripts', 'stack.sh'), 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
  // Where stack.sh wrote it (a relative XRAY_STACK_DIR is taken from the working folder, as there).
  const stackDir = path.resolve(process.env.XRAY_STACK_DIR ?? path.join(root, '.stack'));
  const envFile = readFileSync(path.join(stackDir, 'env'), 'utf8');
  for (const match of envFile.matchAll(/^export (\w+)='([^']*)'$/gm)) {
    const [, name, value] = match;
    if (name && value !== undefined && !process.env[name]) process.env[name] = value;
  }
}

async function startContainersIfDockerAnswers(): Promise<boolean> {
  const { getContainerRuntimeClient, GenericContainer, Wait } = await import('testcontainers');
  try {
    // Without an engine this throws at once, so the choice costs nothing here.
    await getContainerRuntimeClient();
  } catch {
    return false;
  }
  const [mongo, redis, rabbit] = await Promise.all([
    new GenericContainer('mongo:7')
      .withExposedPorts(27017)
      .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
      .start(),
    new GenericContainer('redis:7').withExposedPorts(6379).start(),
    new GenericContainer('rabbitmq:3.13-management')
      .withExposedPorts(5672, 15672)
      .withWaitStrategy(Wait.forLogMessage(/Server startup complete/))
      .start(),
  ]);
  process.env.MONGO_URL = `mongodb://${mongo.getHost()}:${mongo.getMappedPort(27017)}/xrayiot`;
  process.env.REDIS_URL = `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
  process.env.AMQP_URL = `amqp://guest:guest@${rabbit.getHost()}:${rabbit.getMappedPort(5672)}`;
  process.env.RABBITMQ_MANAGEMENT_URL = `http://guest:guest@${rabbit.getHost()}:${rabbit.getMappedPort(15672)}`;
  // Ryuk (testcontainers' reaper) removes the containers when this process exits.
  return true;
}
