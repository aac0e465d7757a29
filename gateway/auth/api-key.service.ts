import { LRUCache } from 'lru-cache';
import { Types } from 'mongoose';
import type { Logger } from 'pino';
import { ApiKeyRole } from '../../schema';
import type { GatewayModels } from '../db/gateway-models';
import { generateApiKey, hashApiKey } from './api-key-hash';
import type { AuthenticatedKey } from './authenticated-key';

/** A key as listed: never the key itself. */
export interface ApiKeySummary extends AuthenticatedKey {
  createdAt: Date;
  revokedAt: Date | null;
}

/** A key just created: the only time `key` is known. */
export interface CreatedApiKeyRecord extends ApiKeySummary {
  key: string;
}

export interface ApiKeyServiceOptions {
  /**
   * How long a lookup result is reused. Bounds how long a key revoked on another replica keeps
   * working here; revocations on this replica take effect at once.
   */
  cacheTtlMs: number;
  /** Most cached valid keys (least recently used go first). */
  cacheMaxEntries?: number;
}

/**
 * Most cached refusals. Kept apart from the valid keys so that a client cycling random keys evicts
 * only other refusals, never a key in use.
 */
const MAX_CACHED_REFUSALS = 1_000;

/**
 * How long a key stays known as accepted by this gateway, past its cache TTL: such a key is looked
 * up without waiting on its address's budget of refused keys (see guarded-authentication).
 */
const RECENTLY_ACCEPTED_TTL_MS = 60 * 60 * 1000;

/** Longest accepted raw key: anything longer is refused before hashing. */
const MAX_RAW_KEY_LENGTH = 256;

/** Told the id of each key this service revokes, once the revocation is stored. */
export type RevocationListener = (keyId: string) => void;

/** API keys: authentication (SHA-256 lookup), creation, revocation and the bootstrap admin seed. */
export class ApiKeyService {
  /** Valid keys by hash; none when the TTL is 0 (every request reads the store). */
  private readonly knownKeys: LRUCache<string, AuthenticatedKey> | undefined;
  /** Hashes the store had no valid key for. */
  private readonly refusedKeys: LRUCache<string, true> | undefined;
  /** Hashes of keys a lookup accepted within the last hour: never an answer, only a pass past the address budget. */
  private readonly recentlyAccepted: LRUCache<string, true>;
  private readonly revocationListeners = new Set<RevocationListener>();
  /** Revocations stored by this service so far: tells a lookup that one landed while it was in flight. */
  private revocationsStored = 0;

  constructor(
    private readonly models: Pick<GatewayModels, 'apiKeys'>,
    options: ApiKeyServiceOptions,
    private readonly logger: Logger,
  ) {
    this.recentlyAccepted = new LRUCache({ max: options.cacheMaxEntries ?? 10_000, ttl: RECENTLY_ACCEPTED_TTL_MS });
    // lru-cache reads a TTL of 0 as "never expires": a TTL of 0 means no cache at all here.
    if (options.cacheTtlMs > 0) {
      this.knownKeys = new LRUCache({ max: options.cacheMaxEntries ?? 10_000, ttl: options.cacheTtlMs });
      this.refusedKeys = new LRUCache({ max: MAX_CACHED_REFUSALS, ttl: options.cacheTtlMs });
    }
  }

  /**
   * What the cache knows of a key without asking the store: its identity, null when it was refused
   * (or cannot be a key at all), undefined when only a lookup can tell.
   */
  cachedKey(rawKey: string | undefined): AuthenticatedKey | null | undefined {
    if (rawKey === undefined || rawKey.length === 0 || rawKey.length > MAX_RAW_KEY_LENGTH) return null;
    const keyHash = hashApiKey(rawKey);
    const known = this.knownKeys?.get(keyHash);
    if (known) return known;
    return this.refusedKeys?.has(keyHash) ? null : undefined;
  }

  /** Whether a lookup accepted this key within the last hour (its answer now still needs a lookup). */
  acceptedRecently(rawKey: string | undefined): boolean {
    if (rawKey === undefined || rawKey.length === 0 || rawKey.length > MAX_RAW_KEY_LENGTH) return false;
    return this.recentlyAccepted.has(hashApiKey(rawKey));
  }

  /** The key's identity, or null when it is missing, unknown or revoked. */
  async authenticate(rawKey: string | undefined): Promise<AuthenticatedKey | null> {
    if (rawKey === undefined || rawKey.length === 0 || rawKey.length > MAX_RAW_KEY_LENGTH) return null;
    const keyHash = hashApiKey(rawKey);
    const known = this.knownKeys?.get(keyHash);
    if (known) return known;
    if (this.refusedKeys?.has(keyHash)) return null;
    const revocationsBefore = this.revocationsStored;
    const key = await this.lookUp(keyHash);
    // A revocation stored while this read was in flight may be missing from it; cached, the stale
    // answer would outlive the revocation on this replica by a whole TTL. Read again, cache nothing.
    if (this.revocationsStored !== revocationsBefore) return this.lookUp(keyHash);
    if (key) {
      this.knownKeys?.set(keyHash, key);
      this.recentlyAccepted.set(keyHash, true);
    } else {
      this.refusedKeys?.set(keyHash, true);
      this.recentlyAccepted.delete(keyHash);
    }
    return key;
  }

  /**
   * Of `keyIds`, those that no longer authenticate (revoked, or deleted from the store), read in one
   * query and never from the cache: how sessions opened with a key learn of a revocation made
   * elsewhere (another replica, the CLI). Also drops those keys from the cache.
   */
  async revokedAmong(keyIds: readonly string[]): Promise<Set<string>> {
    if (keyIds.length === 0) return new Set();
    const stored = await this.models.apiKeys
      .find({ _id: { $in: keyIds.map((id) => new Types.ObjectId(id)) } }, { keyHash: 1, revokedAt: 1 })
      .lean();
    const working = new Set<string>();
    for (const key of stored) {
      if (key.revokedAt) {
        this.knownKeys?.delete(key.keyHash);
        this.recentlyAccepted.delete(key.keyHash);
      } else working.add(key._id.toHexString());
    }
    return new Set(keyIds.filter((id) => !working.has(id)));
  }

  /**
   * Calls `listener` with the id of every key this service revokes, right after the revocation is
   * stored and before `revoke` resolves. Returns the unsubscribe function.
   */
  onRevoked(listener: RevocationListener): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  /** Stores a new key (hashed) and returns it, with the raw key, once. */
  async create(name: string, role: ApiKeyRole): Promise<CreatedApiKeyRecord> {
    const key = generateApiKey();
    const createdAt = new Date();
    const stored = await this.models.apiKeys.create({ name, role, keyHash: hashApiKey(key), createdAt });
    return { id: stored._id.toHexString(), name, role, createdAt, revokedAt: null, key };
  }

  /**
   * Revokes a key. True when the key exists (revoking twice is harmless), false when there is no
   * such key.
   */
  async revoke(id: string): Promise<boolean> {
    if (!Types.ObjectId.isValid(id) || !/^[0-9a-fA-F]{24}$/.test(id)) return false;
    const objectId = new Types.ObjectId(id);
    const existing = await this.models.apiKeys.findOne({ _id: objectId }, { keyHash: 1, revokedAt: 1 }).lean();
    if (!existing) return false;
    if (!existing.revokedAt) {
      await this.models.apiKeys.updateOne(
        { _id: objectId, revokedAt: { $exists: false } },
        { $set: { revokedAt: new Date() } },
      );
    }
    this.revocationsStored += 1;
    this.knownKeys?.delete(existing.keyHash);
    this.recentlyAccepted.delete(existing.keyHash);
    for (const listener of this.revocationListeners) {
      try {
        listener(id);
      } catch (error) {
        // The revocation is stored either way; a failing listener must not make it look refused.
        this.logger.error({ err: error, revokedKeyId: id }, 'a revocation listener failed');
      }
    }
    return true;
  }

  /** Every key, newest first, without hashes. */
  async list(): Promise<ApiKeySummary[]> {
    const keys = await this.models.apiKeys
      .find({}, { name: 1, role: 1, createdAt: 1, revokedAt: 1 })
      .sort({ createdAt: -1 })
      .limit(10_000)
      .lean();
    return keys.map((k) => ({
      id: k._id.toHexString(),
      name: k.name,
      role: k.role,
      createdAt: k.createdAt,
      revokedAt: k.revokedAt ?? null,
    }));
  }

  /**
   * Makes sure `rawKey` exists as an ADMIN key named `name`. Idempotent across restarts and
   * replicas (unique `keyHash`); a key an operator revoked stays revoked.
   */
  async seedAdmin(rawKey: string, name = 'bootstrap admin'): Promise<void> {
    const keyHash = hashApiKey(rawKey);
    try {
      await this.models.apiKeys.updateOne(
        { keyHash },
        { $setOnInsert: { keyHash, name, role: ApiKeyRole.ADMIN, createdAt: new Date() } },
        { upsert: true },
      );
    } catch (error) {
      // Two replicas starting together race on the unique index: the other one inserted it.
      if ((error as { code?: number }).code !== 11000) throw error;
    }
    const stored = await this.models.apiKeys.findOne({ keyHash }, { role: 1, revokedAt: 1 }).lean();
    if (stored?.revokedAt)
      this.logger.warn({ keyId: stored._id.toHexString() }, 'GATEWAY_ADMIN_API_KEY is revoked; it stays refused');
    else if (stored && stored.role !== ApiKeyRole.ADMIN)
      this.logger.warn({ keyId: stored._id.toHexString() }, 'GATEWAY_ADMIN_API_KEY is stored with a non-admin role');
  }

  private async lookUp(keyHash: string): Promise<AuthenticatedKey | null> {
    const stored = await this.models.apiKeys.findOne({ keyHash }, { name: 1, role: 1, revokedAt: 1 }).lean();
    return stored && !stored.revokedAt ? { id: stored._id.toHexString(), name: stored.name, role: stored.role } : null;
  }
}
