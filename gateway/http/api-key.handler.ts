import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { AuthenticatedKey } from '../auth/authenticated-key';
import { OUTAGE_RETRY_AFTER_SEC } from '../errors/dependency-outage';
import { ErrorCode } from '../errors/error-code';
import { graphqlErrorBody } from './graphql-error-body';

/** Header carrying the API key over HTTP. */
export const API_KEY_HEADER = 'x-api-key';

/** Where the authenticated key is kept on `res.locals` for the GraphQL context. */
export interface AuthenticatedLocals {
  auth: AuthenticatedKey;
}

/** Refuses a request without a valid key with HTTP 401 before any GraphQL work. */
export function apiKeyHandler(
  authenticate: (rawKey: string | undefined) => Promise<AuthenticatedKey | null>,
  logger: Logger,
): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers[API_KEY_HEADER];
    const rawKey = Array.isArray(header) ? header[0] : header;
    let auth: AuthenticatedKey | null;
    try {
      auth = await authenticate(rawKey);
    } catch (error) {
      logger.error({ err: error }, 'API key lookup failed');
      res
        .status(503)
        .set('Retry-After', String(OUTAGE_RETRY_AFTER_SEC))
        .json(graphqlErrorBody(ErrorCode.DEPENDENCY_UNAVAILABLE, 'cannot check the API key right now; retry shortly'));
      return;
    }
    if (!auth) {
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
    (res.locals as AuthenticatedLocals).auth = auth;
    next();
  };
}
