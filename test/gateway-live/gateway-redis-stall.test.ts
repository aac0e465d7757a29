import Redis from 'ioredis';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait-for';
import { LIVE_ADMIN_KEY, startGatewayUnderTest, type GatewayUnderTest } from './support/gateway-under-test';
import { collect, connectLive } from './support/live-client';

jest.setTimeout(60_000);

describe('gateway while Redis accepts commands but never answers', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let redis: TcpProxy;
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('gateway-redis-stall'), (i) => i.dispose());
    redis = disposables.add(await startTcpProxy(infra.redisUrl), (p) => p.close());
    gateway = disposables.add(await startGatewayUnderTest(infra, { REDIS_URL: redis.urlFor(infra.redisUrl) }), (g) =>
      g.close(),
    );
  });
  afterAll(() => disposables.disposeAll());

  const me = async (): Promise<{ status: number; body: { data?: { me: { name: string } } } }> => {
    const response = await fetch(gateway.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': LIVE_ADMIN_KEY },
      body: JSON.stringify({ query: '{ me { name } }' }),
      // Far beyond the rate limiter's command timeout: a request hanging on Redis fails here.
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as { data?: { me: { name: string } } } };
  };

  it('answers requests, the rate limit falling back to memory, and counts them in Redis again once it answers', async () => {
    // Read straight from Redis, past the proxy: the points the key's requests spent this window.
    const direct = disposables.add(new Redis(infra.redisUrl), (r) => r.disconnect());
    const pointsInRedis = async (): Promise<number> => {
      const keys = await direct.keys(`${infra.namespace}:rl:*`);
      const values = keys.length > 0 ? await direct.mget(keys) : [];
      return values.reduce((sum, value) => sum + Number(value ?? 0), 0);
    };

    const before = await me();
    expect(before.status).toBe(200);
    const countedBefore = await pointsInRedis();
    expect(countedBefore).toBeGreaterThan(0);

    redis.stall();
    const during = await me();
    expect(during.status).toBe(200);
    expect(during.body.data?.me.name).toBe(before.body.data?.me.name);

    redis.restore();
    // The fallback alone would answer 200 too: what shows Redis counts again is a request moving its
    // figure (read before and after each request, so the stalled command landing late does not count).
    await waitFor('a request counted in Redis again', async () => {
      const countedFirst = await pointsInRedis();
      expect((await me()).status).toBe(200);
      return (await pointsInRedis()) > countedFirst;
    });
  });

  it('refuses a new subscription with DEPENDENCY_UNAVAILABLE instead of leaving it waiting for Redis', async () => {
    const client = connectLive(gateway.wsUrl, LIVE_ADMIN_KEY);
    redis.stall();
    const subscription = collect(client, 'subscription { signalProcessed { id } }');
    const errors = await subscription.failure(30_000);
    expect(errors[0]?.extensions?.code).toBe('DEPENDENCY_UNAVAILABLE');
    redis.restore();
    await client.dispose();
  });
});
