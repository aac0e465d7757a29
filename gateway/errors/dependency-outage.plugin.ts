import type { ApolloServerPlugin } from '@apollo/server';
import { OUTAGE_RETRY_AFTER_SEC } from './dependency-outage';
import { ErrorCode } from './error-code';

/**
 * Tells HTTP clients when to retry an operation a database outage failed: `Retry-After` on every
 * such answer, and HTTP 503 when it carries no data at all, so a client's retry logic for
 * unavailable servers applies. A partial answer keeps 200: its data is still good.
 */
export function dependencyOutagePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          if (!errors?.some((error) => error.extensions?.['code'] === ErrorCode.DEPENDENCY_UNAVAILABLE)) return;
          response.http.headers.set('retry-after', String(OUTAGE_RETRY_AFTER_SEC));
          if (data === null || data === undefined) response.http.status = 503;
        },
      };
    },
  };
}
