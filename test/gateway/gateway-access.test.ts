import { hashApiKey } from '../../gateway/auth/api-key-hash';
import type { GatewayModels } from '../../gateway/db/gateway-models';
import type { RunningGateway } from '../../gateway/gateway.service';
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  CreateSignalDocument,
  MeDocument,
  RevokeApiKeyDocument,
} from '../gql/graphql';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { ADMIN_KEY, connectModels, dataOf, errorCodeOf, execute, startTestGateway } from './support/gateway-harness';

describe('API keys and roles', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let models: GatewayModels;
  let gateway: RunningGateway;

  beforeAll(async () => {
    infra = await createSuiteInfra('gateway-access');
    disposables.add(infra, (i) => i.dispose());
    models = await connectModels(infra, disposables);
    gateway = await startTestGateway(infra, disposables);
  });

  afterAll(() => disposables.disposeAll());

  it('seeds the bootstrap ADMIN key once, however often gateways start', async () => {
    await startTestGateway(infra, disposables);
    const stored = await models.apiKeys.find({ keyHash: hashApiKey(ADMIN_KEY) }).lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.role).toBe('ADMIN');
    expect(dataOf(await execute(gateway.url, MeDocument, {})).me.role).toBe('ADMIN');
  });

  it('creates a key shown once and stored only as its SHA-256', async () => {
    const created = dataOf(
      await execute(gateway.url, CreateApiKeyDocument, { name: 'map team', role: 'READER' }),
    ).createApiKey;
    expect(created.key).toMatch(/^xk_[A-Za-z0-9_-]{43}$/);
    const stored = await models.apiKeys.findById(created.id).lean();
    expect(stored?.keyHash).toBe(hashApiKey(created.key));
    expect(JSON.stringify(stored)).not.toContain(created.key);
    const listed = dataOf(await execute(gateway.url, ApiKeysDocument, {})).apiKeys;
    expect(listed.find((k) => k.id === created.id)).toEqual({
      id: created.id,
      name: 'map team',
      role: 'READER',
      createdAt: created.createdAt,
      revokedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(dataOf(await execute(gateway.url, MeDocument, {}, created.key)).me).toEqual({
      id: created.id,
      name: 'map team',
      role: 'READER',
    });
  });

  it('refuses every mutation and admin query to a READER with FORBIDDEN, changing nothing', async () => {
    const reader = dataOf(
      await execute(gateway.url, CreateApiKeyDocument, { name: 'reader', role: 'READER' }),
    ).createApiKey;
    const before = await models.apiKeys.countDocuments();
    const attempts = [
      await execute(gateway.url, CreateApiKeyDocument, { name: 'sneaky', role: 'ADMIN' }, reader.key),
      await execute(gateway.url, RevokeApiKeyDocument, { id: reader.id }, reader.key),
      await execute(
        gateway.url,
        CreateSignalDocument,
        {
          input: {
            deviceId: 'dev-x',
            time: new Date().toISOString(),
            data: [{ offsetMs: 0, lat: 1, lon: 2, speed: 3 }],
          },
        },
        reader.key,
      ),
      await execute(gateway.url, ApiKeysDocument, {}, reader.key),
    ];
    expect(attempts.map(errorCodeOf)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(await models.apiKeys.countDocuments()).toBe(before);
    expect(await models.signals.countDocuments()).toBe(0);
  });

  it('revokes a key: it is refused with 401 from then on', async () => {
    const doomed = dataOf(
      await execute(gateway.url, CreateApiKeyDocument, { name: 'doomed', role: 'READER' }),
    ).createApiKey;
    expect((await execute(gateway.url, MeDocument, {}, doomed.key)).status).toBe(200);
    expect(dataOf(await execute(gateway.url, RevokeApiKeyDocument, { id: doomed.id })).revokeApiKey).toBe(true);
    const refused = await execute(gateway.url, MeDocument, {}, doomed.key);
    expect(refused.status).toBe(401);
    expect(errorCodeOf(refused)).toBe('UNAUTHENTICATED');
    expect(dataOf(await execute(gateway.url, RevokeApiKeyDocument, { id: doomed.id })).revokeApiKey).toBe(true);
    expect(errorCodeOf(await execute(gateway.url, RevokeApiKeyDocument, { id: '0123456789abcdef01234567' }))).toBe(
      'NOT_FOUND',
    );
    expect(errorCodeOf(await execute(gateway.url, RevokeApiKeyDocument, { id: 'nope' }))).toBe('BAD_USER_INPUT');
  });

  it('refuses an empty key name with BAD_USER_INPUT', async () => {
    expect(errorCodeOf(await execute(gateway.url, CreateApiKeyDocument, { name: '  ', role: 'READER' }))).toBe(
      'BAD_USER_INPUT',
    );
  });
});
