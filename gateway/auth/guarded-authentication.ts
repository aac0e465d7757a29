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
 * any other needs a store lookup, which takes one from the address's budget of refused keys (so
 * cycling random keys cannot turn into one database read per request) and gives it back when the
 * key is valid. A key this gateway accepted recently skips the budget: clients sharing an address
 * with someone guessing keys (a NAT, a proxy) keep working, and a guess cannot be such a key.
 */
export function createGuardedAuthentication(
  apiKeys: Pick<ApiKeyService, 'authenticate' | 'cachedKey' | 'acceptedRecently'>,
  refusals: AuthFailureLimiter,
): (rawKey: string | undefined, address: string) => Promise<AuthenticationOutcome> {
  return async (rawKey, address) => {
    const cached = apiKeys.cachedKey(rawKey);
    if (cached !== undefined) return cached ? { kind: 'accepted', key: cached } : { kind: 'refused' };
    if (apiKeys.acceptedRecently(rawKey)) {
      const key = await apiKeys.authenticate(rawKey);
      return key ? { kind: 'accepted', key } : { kind: 'refused' };
    }
    const retryAfterMs = await refusals.take(address);
    if (retryAfterMs > 0) return { kind: 'too-many-refusals', retryAfterMs };
    const key = await apiKeys.authenticate(rawKey);
    if (!key) return { kind: 'refused' };
    await refusals.giveBack(address);
    return { kind: 'accepted', key };
  };
}
