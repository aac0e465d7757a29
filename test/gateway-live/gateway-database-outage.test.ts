import { Disposables } from '../support/disposables';
import { createSuiteInfra } from '../support/suite-infra';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait-for';
import { LIVE_ADMIN_KEY, startGatewayUnderTest, type GatewayUnderTest } from './support/gateway-under-test';

jest.setTimeout(90_000);

describe('gateway while its database is unreachable', () => {
  const disposables = new Disposables();
  let proxy: TcpProxy;
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    const infra = disposables.add(await createSuiteInfra('gateway-db-outage'), (i) => i.dispose());
    proxy = disposables.add(await startTcpProxy(infra.mongoUrl), (p) => p.close());
    // Key cache off: every request asks the database who its key belongs to.
    gateway = disposables.add(await startGatewayUnderTest(infra, { MONGO_URL: proxy.urlFor(infra.mongoUrl) }), (g) =>
      g.close(),
    );
  });
  afterAll(() => disposables.disposeAll());

  const query = (): Promise<Response> =>
    fetch(gateway.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': LIVE_ADMIN_KEY },
      body: JSON.stringify({ query: '{ me { name } }' }),
    });

  it('answers 503 with Retry-After and a typed error while the key cannot be checked, then recovers', async () => {
    expect((await query()).status).toBe(200);

    proxy.cut();
    const refused = await query();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    const body = (await refused.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect((await fetch(`${gateway.gateway.url}/readyz`)).status).toBe(503);

    proxy.restore();
    await waitFor('queries answered again', async () => (await query()).status === 200, 60_000);
  });
});
