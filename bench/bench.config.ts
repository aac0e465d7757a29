import path from 'node:path';

/** Where the bench runs: the stack's URLs, rewritten to a database, vhost and namespace of its own. */
export interface BenchConfig {
  /** Repository root. */
  root: string;
  /** Mongo URL of the bench database (`BENCH_MONGO_DB`, default `xrayiot_bench`). */
  mongoUrl: string;
  redisUrl: string;
  /** AMQP URL of the bench vhost (`BENCH_VHOST`, default `xrayiot_bench`), so its queues never meet others'. */
  amqpUrl: string;
  /** Management API base URL (credentials included). */
  managementUrl: string;
  vhost: string;
  /** Redis namespace of the services under test (`xraybench`). */
  namespace: string;
  /** Fleet secret the bench signs with and gives ingest and the processor. */
  hmacSecret: string;
  /** Admin API key the gateway under test bootstraps with. */
  adminApiKey: string;
  /** Path of the real device sample (`XRAY_SAMPLE`, default ../shared/fixtures/x-ray.json). */
  samplePath: string;
  /** Results directory (bench/results). */
  resultsDir: string;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: run the bench through npm run bench (it sources .stack/env)`);
  return value;
}

/** Reads the bench's environment once. */
export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const root = path.resolve(__dirname, '..', '..');
  const database = env.BENCH_MONGO_DB ?? 'xrayiot_bench';
  const vhost = env.BENCH_VHOST ?? 'xrayiot_bench';
  const mongoUrl = new URL(required(env, 'MONGO_URL'));
  mongoUrl.pathname = `/${database}`;
  const amqpUrl = new URL(required(env, 'AMQP_URL'));
  amqpUrl.pathname = `/${encodeURIComponent(vhost)}`;
  return {
    root,
    mongoUrl: mongoUrl.toString(),
    redisUrl: required(env, 'REDIS_URL'),
    amqpUrl: amqpUrl.toString(),
    managementUrl: required(env, 'RABBITMQ_MANAGEMENT_URL'),
    vhost,
    namespace: env.BENCH_NAMESPACE ?? 'xraybench',
    hmacSecret: 'bench-fleet-secret-0123456789abcdef0123456789',
    adminApiKey: 'bench-admin-key-0123456789abcdef0123456789',
    samplePath: env.XRAY_SAMPLE ?? path.resolve(root, '..', 'shared', 'fixtures', 'x-ray.json'),
    resultsDir: path.join(root, 'bench', 'results'),
  };
}

/** The environment every service under test starts with; scenarios add their own limits. */
export function serviceEnvFor(config: BenchConfig): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    MONGO_URL: config.mongoUrl,
    REDIS_URL: config.redisUrl,
    AMQP_URL: config.amqpUrl,
    XRAY_NAMESPACE: config.namespace,
    INGEST_HMAC_SECRET: config.hmacSecret,
    GATEWAY_ADMIN_API_KEY: config.adminApiKey,
    LOG_LEVEL: 'warn',
    INGEST_PORT: '0',
    PROCESSOR_PORT: '0',
    GATEWAY_PORT: '0',
    INGEST_HOST: '127.0.0.1',
    PROCESSOR_HOST: '127.0.0.1',
    GATEWAY_HOST: '127.0.0.1',
  };
}
