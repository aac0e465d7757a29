import { loadIngestConfig } from './config';

const REQUIRED = {
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
  REDIS_URL: 'redis://127.0.0.1:6379',
  INGEST_HMAC_SECRET: 's'.repeat(32),
};

describe('loadIngestConfig', () => {
  it('fills every default from the contract', () => {
    expect(loadIngestConfig(REQUIRED)).toEqual({
      port: 3001,
      host: '0.0.0.0',
      amqpUrl: REQUIRED.AMQP_URL,
      redisUrl: REQUIRED.REDIS_URL,
      hmacSecret: REQUIRED.INGEST_HMAC_SECRET,
      namespace: 'xray',
      bodyLimitBytes: 1_048_576,
      rateLimitPerMinute: 120,
      maxClockSkewMs: 300_000,
      confirmTimeoutMs: 5_000,
      maxUnconfirmedBytes: 64 * 1024 * 1024,
      startupWaitMs: 10_000,
      logLevel: 'info',
    });
  });

  it('reads numbers from their env strings', () => {
    const config = loadIngestConfig({ ...REQUIRED, INGEST_PORT: '0', INGEST_RATE_LIMIT_PER_MINUTE: '7' });
    expect(config).toMatchObject({ port: 0, rateLimitPerMinute: 7 });
  });

  it('fails in one line naming a short secret and its length, never its value', () => {
    expect(() => loadIngestConfig({ ...REQUIRED, INGEST_HMAC_SECRET: 'short' })).toThrow(
      new Error(
        'invalid ingest configuration: INGEST_HMAC_SECRET must be at least 32 characters long, got 5 characters',
      ),
    );
  });

  it('fails naming a missing or wrong URL without echoing it', () => {
    expect(() => loadIngestConfig({ ...REQUIRED, AMQP_URL: undefined })).toThrow(
      new Error('invalid ingest configuration: AMQP_URL is required but not set'),
    );
    expect(() => loadIngestConfig({ ...REQUIRED, REDIS_URL: 'http://user:password@x' })).toThrow(
      new Error(
        'invalid ingest configuration: REDIS_URL must be a URL starting with redis:// or rediss://, got one starting with http://',
      ),
    );
  });

  it('fails naming a port out of range and the value given', () => {
    expect(() => loadIngestConfig({ ...REQUIRED, INGEST_PORT: '70000' })).toThrow(
      new Error('invalid ingest configuration: INGEST_PORT must be a whole number from 0 to 65535, got "70000"'),
    );
  });

  it('refuses an empty port rather than reading it as 0 (a random port)', () => {
    expect(() => loadIngestConfig({ ...REQUIRED, INGEST_PORT: '' })).toThrow(
      new Error('invalid ingest configuration: INGEST_PORT must be a whole number from 0 to 65535, got ""'),
    );
  });

  it("refuses a timeout longer than Node's timers take (they would fire after 1 ms)", () => {
    expect(() => loadIngestConfig({ ...REQUIRED, INGEST_CONFIRM_TIMEOUT_MS: '3000000000' })).toThrow(
      new Error(
        'invalid ingest configuration: INGEST_CONFIRM_TIMEOUT_MS must be a whole number from 100 to 2147483647, got "3000000000"',
      ),
    );
    expect(loadIngestConfig({ ...REQUIRED, INGEST_CONFIRM_TIMEOUT_MS: '2147483647' }).confirmTimeoutMs).toBe(
      2_147_483_647,
    );
  });
});
