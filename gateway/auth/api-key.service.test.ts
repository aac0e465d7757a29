import { Types } from 'mongoose';
import { ApiKeyRole, silentLogger } from '../../schema';
import type { GatewayModels } from '../db/gateway-models';
import { hashApiKey } from './api-key-hash';
import { ApiKeyService } from './api-key.service';

interface StoredKey {
  _id: Types.ObjectId;
  name: string;
  role: ApiKeyRole;
  keyHash: string;
  createdAt: Date;
  revokedAt?: Date;
}

/**
 * The few model calls ApiKeyService makes, over an array. A lookup by hash reads the store when it
 * is called and, while `holdLookups` is set, answers only once released: a read a write overtakes.
 */
class InMemoryApiKeys {
  readonly keys: StoredKey[] = [];
  holdLookups: Promise<void> | undefined;

  add(rawKey: string, name: string): StoredKey {
    const key = {
      _id: new Types.ObjectId(),
      name,
      role: ApiKeyRole.READER,
      keyHash: hashApiKey(rawKey),
      createdAt: new Date(),
    };
    this.keys.push(key);
    return key;
  }

  findOne(filter: { keyHash?: string; _id?: Types.ObjectId }) {
    const found = this.keys.find((k) => (filter.keyHash ? k.keyHash === filter.keyHash : k._id.equals(filter._id!)));
    const snapshot = found ? { ...found } : null;
    const hold = filter.keyHash ? this.holdLookups : undefined;
    return { lean: async () => (await hold, snapshot) };
  }

  find(filter: { _id: { $in: Types.ObjectId[] } }) {
    const ids = filter._id.$in.map((id) => id.toHexString());
    return { lean: async () => this.keys.filter((k) => ids.includes(k._id.toHexString())).map((k) => ({ ...k })) };
  }

  async updateOne(filter: { _id: Types.ObjectId }, update: { $set: { revokedAt: Date } }) {
    const key = this.keys.find((k) => k._id.equals(filter._id));
    if (key && !key.revokedAt) key.revokedAt = update.$set.revokedAt;
  }
}

function serviceOver(store: InMemoryApiKeys): ApiKeyService {
  const models = { apiKeys: store } as unknown as Pick<GatewayModels, 'apiKeys'>;
  return new ApiKeyService(models, { cacheTtlMs: 60_000 }, silentLogger());
}

describe('ApiKeyService revocation', () => {
  it('does not cache a lookup that a revocation on this replica overtook', async () => {
    const store = new InMemoryApiKeys();
    const stored = store.add('xk_raced', 'raced');
    const keys = serviceOver(store);
    let release = (): void => undefined;
    store.holdLookups = new Promise((resolve) => (release = resolve));

    // Reads the key while it still works, and answers only after the revocation is stored.
    const lookup = keys.authenticate('xk_raced');
    store.holdLookups = undefined;
    await keys.revoke(stored._id.toHexString());
    release();

    expect(await lookup).toBeNull();
    expect(await keys.authenticate('xk_raced')).toBeNull();
  });

  it('tells its listeners the id of each key it revokes before revoke resolves, even if one throws', async () => {
    const store = new InMemoryApiKeys();
    const stored = store.add('xk_told', 'told');
    const keys = serviceOver(store);
    const told: string[] = [];
    keys.onRevoked(() => {
      throw new Error('listener broke');
    });
    const stopTelling = keys.onRevoked((keyId) => told.push(keyId));

    expect(await keys.revoke(stored._id.toHexString())).toBe(true);
    expect(told).toEqual([stored._id.toHexString()]);
    stopTelling();
    await keys.revoke(stored._id.toHexString());
    expect(told).toHaveLength(1);
  });

  it('names the revoked and the vanished among key ids, and forgets their cached lookups', async () => {
    const store = new InMemoryApiKeys();
    const working = store.add('xk_working', 'working');
    const revoked = store.add('xk_revoked', 'revoked');
    const vanished = new Types.ObjectId().toHexString();
    const keys = serviceOver(store);
    expect(await keys.authenticate('xk_revoked')).toMatchObject({ id: revoked._id.toHexString() });
    // Revoked elsewhere (another replica, the CLI): this service's cache still holds the key.
    revoked.revokedAt = new Date();
    expect(await keys.authenticate('xk_revoked')).not.toBeNull();

    const found = await keys.revokedAmong([working._id.toHexString(), revoked._id.toHexString(), vanished]);
    expect([...found].sort()).toEqual([revoked._id.toHexString(), vanished].sort());
    expect(await keys.authenticate('xk_revoked')).toBeNull();
  });
});

describe('ApiKeyService cache', () => {
  it('keeps the keys in use however many unknown keys are tried', async () => {
    const store = new InMemoryApiKeys();
    store.add('xk_in_use', 'in use');
    const keys = serviceOver(store);
    expect(keys.cachedKey('xk_in_use')).toBeUndefined();
    expect(await keys.authenticate('xk_in_use')).not.toBeNull();
    for (let i = 0; i < 20_000; i += 1) expect(await keys.authenticate(`xk_unknown_${i}`)).toBeNull();
    // Answered from the cache: a key the store lost would otherwise read null.
    store.keys.length = 0;
    expect(keys.cachedKey('xk_in_use')).toMatchObject({ name: 'in use' });
    expect(keys.cachedKey('xk_unknown_19999')).toBeNull();
    expect(keys.cachedKey('xk_unknown_0')).toBeUndefined();
  });
});
