import {
  startGatewayUnderTest,
  LIVE_ADMIN_KEY,
  type GatewayUnderTest,
} from '../gateway-live/support/gateway-under-test';
import { Disposables } from '../support/disposables';
import { createSuiteInfra } from '../support/suite-infra';

describe('introspection of a gateway started with NODE_ENV=production', () => {
  const disposables = new Disposables();
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    const infra = disposables.add(await createSuiteInfra('gateway-introspection'), (i) => i.dispose());
    // Apollo reads NODE_ENV when it is constructed; the container image sets it to production.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      gateway = disposables.add(await startGatewayUnderTest(infra), (g) => g.close());
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
  });
  afterAll(() => disposables.disposeAll());

  const introspect = (headers: Record<string, string>): Promise<Response> =>
    fetch(gateway.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __schema { queryType { name } subscriptionType { name } } }' }),
    });

  it('answers the schema to a request with an API key, as the Playground and codegen ask for it', async () => {
    const response = await introspect({ 'x-api-key': LIVE_ADMIN_KEY });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { __schema: { queryType: { name: 'Query' }, subscriptionType: { name: 'Subscription' } } },
    });
  });

  it('still refuses it without a key', async () => {
    const response = await introspect({});
    expect(response.status).toBe(401);
    expect(
      ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
    ).toBe('UNAUTHENTICATED');
  });
});
