import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { AuthenticatedKey } from '../auth/authenticated-key';
import type { AuthenticationOutcome } from '../auth/guarded-authentication';
import { isDependencyOutage, OUTAGE_RETRY_AFTER_SEC } from '../errors/dependency-outage';
import { ErrorCode } from '../errors/error-code';
import { graphqlErrorBody } from './graphql-error-body';
import { sendRateLimited } from './rate-limited-response';

/** Header carrying the API key over HTTP. */
export const API_KEY_HEADER = 'x-api-key';

/** Where the authenticated key is kept on `res.locals` for the GraphQL context. */
export interface AuthenticatedLocals {
  auth: AuthenticatedKey;
}

/**
 * Refuses a request without a valid key with HTTP 401 before any GraphQL work, and with 429 when
 * its address had too many keys refused to have another looked up.
 */
export function apiKeyHandler(
  authenticate: (rawKey: string | undefined, address: string) => Promise<AuthenticationOutcome>,
  logger: Logger,
): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers[API_KEY_HEADER];
    const rawKey = Array.isArray(header) ? header[0] : header;
    let outcome: AuthenticationOutcome;
    try {
      outcome = await authenticate(rawKey, req.socket.remoteAddress ?? 'unknown');
    } catch (error) {
      // An outage is logged once per request without a stack: the cause is outside the gateway.
      if (isDependencyOutage(error))
        logger.warn({ cause: String(error) }, 'API key lookup failed: database unreachable');
      else logger.error({ err: error }, 'API key lookup failed');
      res
        .status(503)
        .set('Retry-After', String(OUTAGE_RETRY_AFTER_SEC))
        .json(graphqlErrorBody(ErrorCode.DEPENDENCY_UNAVAILABLE, 'cannot check the API key right now; retry shortly'));
      return;
    }
    if (outcome.kind === 'too-many-refusals') {
      sendRateLimited(
        res,
        outcome.retryAfterMs,
        (sec) => `too many unknown API keys from this address; retry in ${sec} s`,
      );
      return;
    }
    if (outcome.kind === 'refused') {
      res
        .status(401)
        .set('WWW-Authenticate', 'ApiKey header="X-API-Key"')
        .json(
          graphqlErrorBody(
            ErrorCode.UNAUTHENTICATED,
            rawKey ? 'the API key is unknown or revoked' : 'an API key is required in the X-API-Key header',
          ),
        );
      return;
    }
    (res.locals as AuthenticatedLocals).auth = outcome.key;
    next();
  };
}
