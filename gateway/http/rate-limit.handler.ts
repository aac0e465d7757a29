import type { RequestHandler } from 'express';
import type { AuthenticatedKey } from '../auth/authenticated-key';
import { ErrorCode } from '../errors/error-code';
import type { RateLimitDecision } from '../rate-limit/rate-limit-decision';
import type { AuthenticatedLocals } from './api-key.handler';
import { graphqlErrorBody } from './graphql-error-body';

/**
 * Spends one point of the key's budget per request; HTTP 429 with `Retry-After` when it is spent.
 * Every answer carries the IETF draft `RateLimit-Limit/-Remaining/-Reset` and `RateLimit-Policy` headers.
 */
export function rateLimitHandler(
  consume: (auth: AuthenticatedKey) => Promise<RateLimitDecision>,
  windowSec: number,
  onRefusal: () => void,
): RequestHandler {
  return async (_req, res, next) => {
    const { auth } = res.locals as AuthenticatedLocals;
    const decision = await consume(auth);
    res.set({
      'RateLimit-Limit': String(decision.limit),
      'RateLimit-Remaining': String(decision.remaining),
      'RateLimit-Reset': String(Math.ceil(decision.resetMs / 1000)),
      'RateLimit-Policy': `${decision.limit};w=${windowSec}`,
    });
    if (decision.allowed) {
      next();
      return;
    }
    onRefusal();
    const retryAfterSec = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    res
      .status(429)
      .set('Retry-After', String(retryAfterSec))
      .json(
        graphqlErrorBody(
          ErrorCode.RATE_LIMITED,
          `rate limit of ${decision.limit} requests per ${windowSec} s exceeded for this API key; retry in ${retryAfterSec} s`,
          { retryAfterMs: decision.retryAfterMs },
        ),
      );
  };
}
