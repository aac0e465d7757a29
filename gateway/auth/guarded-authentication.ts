import type { AuthFailureLimiter } from '../rate-limit/auth-failure-limiter';
import type { ApiKeyService } from './api-key.service';
import type { AuthenticatedKey } from './authenticated-key';

/** How a request's API key fared: accepted, refused, or not looked up because its address refused too many. */
export type AuthenticationOutcome =
  | { kind: 'accepted'; key: AuthenticatedKey }
  | { kind: 'refused' }
  | { kind: 'too-many-refusals'; retryAfterMs: number };

/**
 * Authenticates a new request or connection from `address`: a key the cache knows answers at once;
 * any other needs a store lookup, which an address that has had too many keys refused waits for
 * (so cycling random keys cannot turn into one database read per request). Every refusal counts
 * against the address.
 */
export function createGuardedAuthentication(
  apiKeys: Pick<ApiKeyService, 'authenticate' | 'cachedKey'>,
  refusals: AuthFailureLimiter,
): (rawKey: string | undefined, address: string) => Promise<AuthenticationOutcome> {
  return async (rawKey, address) => {
    let key = apiKeys.cachedKey(rawKey);
    if (key === undefined) {
      const retryAfterMs = await refusals.retryAfterMs(address);
      if (retryAfterMs > 0) return { kind: 'too-many-refusals', retryAfterMs };
      key = await apiKeys.authenticate(rawKey);
    }
    if (key) return { kind: 'accepted', key };
    // A missing key is a client not configured yet, not someone guessing: it costs no lookup.
    if (rawKey !== undefined && rawKey.length > 0) await refusals.recordFailure(address);
    return { kind: 'refused' };
  };
}
