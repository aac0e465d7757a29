import { loadGatewayConfig } from './config';

const required = {
  MONGO_URL: 'mongodb://127.0.0.1:27017/x',
  REDIS_URL: 'redis://127.0.0.1:6379',
  AMQP_URL: 'amqp://127.0.0.1',
};

describe('loadGatewayConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadGatewayConfig(required);
    expect(config).toMatchObject({
      port: 3000,
      namespace: 'xray',
      rateLimit: { points: 600, windowSec: 60 },
      onlineWindowMs: 600_000,
      maxPageSize: 200,
      corsOrigins: [],
      ws: { maxSubscriptionsPerConnection: 100, maxMessageBytes: 65_536 },
      adminApiKey: undefined,
    });
  });

  it('reads lists and numbers from the environment', () => {
    const config = loadGatewayConfig({
      ...required,
      GATEWAY_CORS_ORIGINS: 'https://a.example, https://b.example',
      GATEWAY_RATE_LIMIT_POINTS: '5',
    });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.rateLimit.points).toBe(5);
  });

  it.each([
    [
      'MONGO_URL',
      { ...required, MONGO_URL: 'http://nope' },
      'must be a URL starting with mongodb:// or mongodb+srv://, got one starting with http://',
    ],
    ['REDIS_URL', { MONGO_URL: required.MONGO_URL, AMQP_URL: required.AMQP_URL }, 'is required but not set'],
    [
      'GATEWAY_RATE_LIMIT_POINTS',
      { ...required, GATEWAY_RATE_LIMIT_POINTS: '0' },
      'must be a whole number >= 1, got "0"',
    ],
    [
      'GATEWAY_ADMIN_API_KEY',
      { ...required, GATEWAY_ADMIN_API_KEY: 'short' },
      'must be at least 16 characters long, got 5 characters',
    ],
    [
      'LOG_LEVEL',
      { ...required, LOG_LEVEL: 'verbose' },
      'must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    ],
  ])('fails with one line naming %s', (variable, env, message) => {
    expect(() => loadGatewayConfig(env)).toThrow(new Error(`invalid gateway configuration: ${variable} ${message}`));
  });
});
