import WebSocket from 'ws';
import { ApiKeyRole } from '../../schema';
import { ApiKeyService } from '../../gateway/auth/api-key.service';
import { silentLogger } from '../../schema';
import { MeDocument } from '../gql/graphql';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { connectModels, errorCodeOf, execute, startTestGateway, type GraphQLResponse } from './support/gateway-harness';

async function sendMany(
  url: string,
  count: number,
  apiKey: string,
  concurrency = 20,
): Promise<Array<GraphQLResponse<unknown>>> {
  const responses: Array<GraphQLResponse<unknown>> = [];
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < count) {
      sent += 1;
      responses.push(await execute(url, MeDocument, {}, apiKey));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return responses;
}

describe('per-key rate limit over HTTP', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let apiKeys: ApiKeyService;

  beforeAll(async () => {
    infra = await createSuiteInfra('gateway-rate-limit');
    disposables.add(infra, (i) => i.dispose());
    apiKeys = new ApiKeyService(await connectModels(infra, disposables), { cacheTtlMs: 0 }, silentLogger());
  });

  afterAll(() => disposables.disposeAll());

  it('refuses the request over the limit with 429, Retry-After and RateLimit headers, and spares other keys', async () => {
    const gateway = await startTestGateway(infra, disposables, {
      XRAY_NAMESPACE: `${infra.namespace}_low`,
      GATEWAY_RATE_LIMIT_POINTS: '5',
    });
    const busy = await apiKeys.create('busy', ApiKeyRole.READER);
    const calm = await apiKeys.create('calm', ApiKeyRole.READER);
    const allowed: Array<GraphQLResponse<unknown>> = [];
    for (let i = 0; i < 5; i += 1) allowed.push(await execute(gateway.url, MeDocument, {}, busy.key));
    expect(allowed.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(allowed.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0']);
    expect(allowed[0]?.headers.get('ratelimit-limit')).toBe('5');

    const refused = await execute(gateway.url, MeDocument, {}, busy.key);
    expect(refused.status).toBe(429);
    expect(errorCodeOf(refused)).toBe('RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-policy')).toBe('5;w=60');

    const other = await execute(gateway.url, MeDocument, {}, calm.key);
    expect(other.status).toBe(200);
    expect(other.data).toEqual({ me: { id: calm.id, name: 'calm', role: 'READER' } });

    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_rate_limit_refusals_total\{transport="http"\} 1/);
  });

  it('shares one budget between two gateways on the same Redis', async () => {
    const overrides = { XRAY_NAMESPACE: `${infra.namespace}_shared`, GATEWAY_RATE_LIMIT_POINTS: '4' };
    const [first, second] = await Promise.all([
      startTestGateway(infra, disposables, overrides),
      startTestGateway(infra, disposables, overrides),
    ]);
    const key = await apiKeys.create('shared', ApiKeyRole.READER);
    const statuses: number[] = [];
    for (const url of [first.url, second.url, first.url, second.url, first.url])
      statuses.push((await execute(url, MeDocument, {}, key.key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('at the default 600 per minute, request 601 gets 429', async () => {
    const gateway = await startTestGateway(infra, disposables, {
      XRAY_NAMESPACE: `${infra.namespace}_default`,
      GATEWAY_API_KEY_CACHE_TTL_MS: '60000',
    });
    const key = await apiKeys.create('default-limit', ApiKeyRole.READER);
    const responses = await sendMany(gateway.url, 600, key.key);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(600);
    const refused = await execute(gateway.url, MeDocument, {}, key.key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-limit')).toBe('600');
  });
});

describe('refused API keys per client address', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let apiKeys: ApiKeyService;

  beforeAll(async () => {
    infra = await createSuiteInfra('gateway-auth-refusals');
    disposables.add(infra, (i) => i.dispose());
    apiKeys = new ApiKeyService(await connectModels(infra, disposables), { cacheTtlMs: 0 }, silentLogger());
  });

  afterAll(() => disposables.disposeAll());

  it('stops looking up keys for an address that had too many refused, and keeps serving the keys it knows', async () => {
    // Key cache off: every request needs a lookup, which only keys accepted before may skip the budget for.
    const gateway = await startTestGateway(infra, disposables, {
      XRAY_NAMESPACE: `${infra.namespace}_serial`,
      GATEWAY_AUTH_FAILURES_PER_MINUTE: '3',
    });
    const known = await apiKeys.create('known', ApiKeyRole.READER);
    expect((await execute(gateway.url, MeDocument, {}, known.key)).status).toBe(200);

    const guesses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      guesses.push((await execute(gateway.url, MeDocument, {}, `xk_guess_${i}_0123456789abcdef`)).status);
    }
    expect(guesses).toEqual([401, 401, 401]);
    const refused = await execute(gateway.url, MeDocument, {}, 'xk_guess_3_0123456789abcdef');
    expect(refused.status).toBe(429);
    expect(errorCodeOf(refused)).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // A key accepted before is looked up all the same: others behind the same address keep working.
    expect((await execute(gateway.url, MeDocument, {}, known.key)).status).toBe(200);
    // A valid key it has not accepted yet waits like any other from this address.
    const unseen = await apiKeys.create('unseen', ApiKeyRole.READER);
    expect((await execute(gateway.url, MeDocument, {}, unseen.key)).status).toBe(429);
    // So does a websocket: closed with "try again later", not as a bad key.
    const socket = new WebSocket(gateway.url.replace('http', 'ws') + '/graphql', 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.once('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: 'xk_guess_ws_0123456789abcdef' } })),
    );
    expect(await closed).toBe(1013);
  });

  it('counts keys sent at once before looking any up', async () => {
    const gateway = await startTestGateway(infra, disposables, {
      XRAY_NAMESPACE: `${infra.namespace}_burst`,
      GATEWAY_AUTH_FAILURES_PER_MINUTE: '3',
    });
    const statuses = await Promise.all(
      Array.from(
        { length: 40 },
        async (_, i) => (await execute(gateway.url, MeDocument, {}, `xk_burst_${i}_0123456789`)).status,
      ),
    );
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(37);
  });
});
