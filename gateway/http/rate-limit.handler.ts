import type { RequestHandler } from 'express';
import type { AuthenticatedKey } from '../auth/authenticated-key';
import type { RateLimitDecision } from '../rate-limit/rate-limit-decision';
import type { AuthenticatedLocals } from './api-key.handler';
import { sendRateLimited } from './rate-limited-response';

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
    sendRateLimited(
      res,
      decision.retryAfterMs,
      (sec) =>
        `rate limit of ${decision.limit} requests per ${windowSec} s exceeded for this API key; retry in ${sec} s`,
    );
  };
}
