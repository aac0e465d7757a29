import { Disposables } from '../support/disposables';
import { createSuiteInfra } from '../support/suite-infra';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait-for';
import { LIVE_ADMIN_KEY, startGatewayUnderTest, type GatewayUnderTest } from './support/gateway-under-test';
import { closeCodeOfConnectionInit } from './support/live-client';

jest.setTimeout(90_000);

describe('gateway while its database is unreachable', () => {
  const disposables = new Disposables();
  let proxy: TcpProxy;
  let gateway: GatewayUnderTest;
  let cachingGateway: GatewayUnderTest;

  beforeAll(async () => {
    const infra = disposables.add(await createSuiteInfra('gateway-db-outage'), (i) => i.dispose());
    proxy = disposables.add(await startTcpProxy(infra.mongoUrl), (p) => p.close());
    // Key cache off: every request asks the database who its key belongs to.
    gateway = disposables.add(await startGatewayUnderTest(infra, { MONGO_URL: proxy.urlFor(infra.mongoUrl) }), (g) =>
      g.close(),
    );
    // Keys cached: a request passes the key check on a cut connection and reaches its resolvers.
    cachingGateway = disposables.add(
      await startGatewayUnderTest(infra, {
        MONGO_URL: proxy.urlFor(infra.mongoUrl),
        GATEWAY_API_KEY_CACHE_TTL_MS: '600000',
        GATEWAY_DB_TIMEOUT_MS: '1000',
      }),
      (g) => g.close(),
    );
  });
  afterAll(() => disposables.disposeAll());

  const query = (url = gateway.httpUrl, document = '{ me { name } }'): Promise<Response> =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': LIVE_ADMIN_KEY },
      body: JSON.stringify({ query: document }),
    });
  type ErrorBody = { data?: unknown; errors: Array<{ message: string; extensions: { code: string } }> };

  it('answers 503 with Retry-After and a typed error while the key cannot be checked, then recovers', async () => {
    expect((await query()).status).toBe(200);

    proxy.cut();
    const refused = await query();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    const body = (await refused.json()) as ErrorBody;
    expect(body.errors[0]?.extensions.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect((await fetch(`${gateway.gateway.url}/readyz`)).status).toBe(503);
    // Over a websocket: "try again later", which clients retry (graphql-ws's own 4500 ends them).
    expect(await closeCodeOfConnectionInit(gateway.wsUrl, { apiKey: LIVE_ADMIN_KEY })).toBe(1013);

    proxy.restore();
    await waitFor('queries answered again', async () => (await query()).status === 200, 60_000);
  });

  it('answers an operation the database cannot serve with DEPENDENCY_UNAVAILABLE, 503 and Retry-After', async () => {
    const devices = '{ devices(first: 1) { edges { node { id } } } }';
    expect((await query(cachingGateway.httpUrl, devices)).status).toBe(200);

    proxy.cut();
    const refused = await query(cachingGateway.httpUrl, devices);
    const body = (await refused.json()) as ErrorBody;
    expect(body.errors[0]?.extensions.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(body.errors[0]?.message).toBe('the database is unreachable right now; retry shortly');
    expect(body.data).toBeNull();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');

    proxy.restore();
    await waitFor(
      'devices answered again',
      async () => (await query(cachingGateway.httpUrl, devices)).status === 200,
      60_000,
    );
  });

  it('answers DEPENDENCY_UNAVAILABLE, not a hanging request, while the database accepts but never answers', async () => {
    const devices = '{ devices(first: 1) { edges { node { id } } } }';
    await waitFor(
      'devices answered',
      async () => (await query(cachingGateway.httpUrl, devices)).status === 200,
      60_000,
    );

    proxy.stall();
    // Without an end, the request would hang until the database answered again.
    const refused = await fetch(cachingGateway.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': LIVE_ADMIN_KEY },
      body: JSON.stringify({ query: devices }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await refused.json()) as ErrorBody;
    expect(body.errors[0]?.extensions.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(refused.status).toBe(503);

    proxy.restore();
    await waitFor(
      'devices answered again',
      async () => (await query(cachingGateway.httpUrl, devices)).status === 200,
      60_000,
    );
  });
});
