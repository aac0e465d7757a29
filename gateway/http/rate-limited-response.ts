import type { Response } from 'express';
import { ErrorCode } from '../errors/error-code';
import { graphqlErrorBody } from './graphql-error-body';

/**
 * Answers HTTP 429 RATE_LIMITED with `Retry-After` in whole seconds (at least 1) and the exact wait
 * in `extensions.retryAfterMs`; `explain` words the refusal given those seconds.
 */
export function sendRateLimited(res: Response, retryAfterMs: number, explain: (retryAfterSec: number) => string): void {
  const retryAfterSec = Math.max(1, Math.ceil(retryAfterMs / 1000));
  res
    .status(429)
    .set('Retry-After', String(retryAfterSec))
    .json(graphqlErrorBody(ErrorCode.RATE_LIMITED, explain(retryAfterSec), { retryAfterMs }));
}
