import { loadDeadLetterToolConfig, loadProcessorConfig } from './config';

const required = {
  MONGO_URL: 'mongodb://127.0.0.1:27017/xrayiot',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
  INGEST_HMAC_SECRET: 'fleet-secret',
};

describe('loadProcessorConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadProcessorConfig(required)).toMatchObject({
      port: 3002,
      namespace: 'xray',
      prefetch: 1_000,
      maxSpeedKmh: 300,
      retryBaseDelayMs: 2_000,
      maxAttempts: 5,
      seenKeyTtlSeconds: 900,
      retentionDays: 30,
      logLevel: 'info',
    });
  });

  it('reads overrides', () => {
    expect(
      loadProcessorConfig({ ...required, PROCESSOR_PORT: '0', PROCESSOR_MAX_SPEED_KMH: '120.5', RETENTION_DAYS: '7' }),
    ).toMatchObject({
      port: 0,
      maxSpeedKmh: 120.5,
      retentionDays: 7,
    });
  });

  it.each([
    [{ ...required, MONGO_URL: undefined }, 'MONGO_URL is required but not set'],
    [
      { ...required, AMQP_URL: 'http://broker' },
      'AMQP_URL must be a URL starting with amqp:// or amqps://, got one starting with http://',
    ],
    [{ ...required, PROCESSOR_PREFETCH: '0' }, 'PROCESSOR_PREFETCH must be a whole number from 1 to 5000, got "0"'],
    [
      // 30 days: more than a Node timer takes, so the job would run back to back.
      { ...required, RETENTION_INTERVAL_MS: '2592000000' },
      'RETENTION_INTERVAL_MS must be a whole number from 0 to 2147483647, got "2592000000"',
    ],
    [{ ...required, PROCESSOR_MAX_SPEED_KMH: 'fast' }, 'PROCESSOR_MAX_SPEED_KMH must be a number > 0, got "fast"'],
    [
      { ...required, XRAY_NAMESPACE: 'has space' },
      'XRAY_NAMESPACE must be 1 to 64 letters, digits, "_" or "-", got "has space"',
    ],
    [
      { ...required, INGEST_HMAC_SECRET: '' },
      'INGEST_HMAC_SECRET must be at least 1 character long, got an empty value',
    ],
  ])('fails fast with one line naming the bad variable (%#)', (env, message) => {
    expect(() => loadProcessorConfig(env)).toThrow(new Error(`invalid processor configuration: ${message}`));
  });
});

describe('loadDeadLetterToolConfig', () => {
  it('needs only AMQP_URL', () => {
    expect(loadDeadLetterToolConfig({ AMQP_URL: required.AMQP_URL })).toEqual({ amqpUrl: required.AMQP_URL });
    expect(() => loadDeadLetterToolConfig({})).toThrow(
      new Error('invalid dead-letter tool configuration: AMQP_URL is required but not set'),
    );
  });
});
