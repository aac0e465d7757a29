import { Redis } from 'ioredis';
import { nonceKeyFor, RedisNonceStore } from '../../ingest/nonce.store';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';

const SKEW_MS = 300_000;
const PENDING_TTL_MS = 35_000;

describe('RedisNonceStore', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let redis: Redis;
  let store: RedisNonceStore;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('ingest_nonces'), (i) => i.dispose());
    redis = disposables.add(new Redis(infra.redisUrl), (r) => r.disconnect());
    store = new RedisNonceStore(redis, infra.namespace, { maxClockSkewMs: SKEW_MS, pendingTtlMs: PENDING_TTL_MS });
  });
  afterAll(() => disposables.disposeAll());

  const ttlOf = (deviceId: string, nonce: string) => redis.pttl(nonceKeyFor(infra.namespace, deviceId, nonce));

  it('holds a claimed nonce for the pending TTL, in flight to any other request', async () => {
    expect(await store.claim('dev-1', 'nonce-held-0000001', 'a')).toBe('claimed');
    expect(await store.claim('dev-1', 'nonce-held-0000001', 'b')).toBe('in-flight');
    const ttl = await ttlOf('dev-1', 'nonce-held-0000001');
    expect(ttl).toBeGreaterThan(PENDING_TTL_MS - 5_000);
    expect(ttl).toBeLessThanOrEqual(PENDING_TTL_MS);
    // Another device's same nonce is its own.
    expect(await store.claim('dev-2', 'nonce-held-0000001', 'c')).toBe('claimed');
  });

  it('keeps a nonce answered for good as used for twice the clock skew', async () => {
    expect(await store.claim('dev-1', 'nonce-kept-0000001', 'a')).toBe('claimed');
    await store.keep('dev-1', 'nonce-kept-0000001', 'a');
    expect(await store.claim('dev-1', 'nonce-kept-0000001', 'b')).toBe('used');
    expect(await ttlOf('dev-1', 'nonce-kept-0000001')).toBeGreaterThan(2 * SKEW_MS - 5_000);
  });

  it('releases a nonce only for the request holding it', async () => {
    expect(await store.claim('dev-1', 'nonce-released-001', 'a')).toBe('claimed');
    await store.release('dev-1', 'nonce-released-001', 'someone-else');
    expect(await store.claim('dev-1', 'nonce-released-001', 'b')).toBe('in-flight');
    await store.release('dev-1', 'nonce-released-001', 'a');
    expect(await store.claim('dev-1', 'nonce-released-001', 'b')).toBe('claimed');
    await store.keep('dev-1', 'nonce-released-001', 'b');
    // A late release of the first attempt leaves the nonce used.
    await store.release('dev-1', 'nonce-released-001', 'a');
    expect(await store.claim('dev-1', 'nonce-released-001', 'c')).toBe('used');
  });

  it("keeps a nonce whose claim lapsed, but never over another request's claim", async () => {
    await store.keep('dev-1', 'nonce-lapsed-00001', 'a');
    expect(await store.claim('dev-1', 'nonce-lapsed-00001', 'b')).toBe('used');
    expect(await store.claim('dev-1', 'nonce-other-000001', 'b')).toBe('claimed');
    await store.keep('dev-1', 'nonce-other-000001', 'a');
    expect(await store.claim('dev-1', 'nonce-other-000001', 'c')).toBe('in-flight');
  });

  it('reads a nonce recorded before claims had tokens as used', async () => {
    await redis.set(nonceKeyFor(infra.namespace, 'dev-1', 'nonce-legacy-00001'), '1', 'EX', 600);
    expect(await store.claim('dev-1', 'nonce-legacy-00001', 'a')).toBe('used');
  });
});
