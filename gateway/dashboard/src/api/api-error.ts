/** Error codes the gateway sends in `extensions.code`, plus the two the browser itself can see. */
export type ApiErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'QUERY_TOO_COMPLEX'
  | 'DEPENDENCY_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR'
  | 'NETWORK'
  | 'UNEXPECTED_RESPONSE';

/** A failed API call, with a message fit to show to the person using the dashboard. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Seconds to wait before trying again, when the gateway said so (`Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const KNOWN_CODES = new Set<string>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'RATE_LIMITED',
  'QUERY_TOO_COMPLEX',
  'DEPENDENCY_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
]);

/** The code of a GraphQL error object as the gateway formats it; unknown codes count as internal. */
export function apiErrorCodeOf(error: { extensions?: Record<string, unknown> } | undefined): ApiErrorCode {
  const code = error?.extensions?.['code'];
  return typeof code === 'string' && KNOWN_CODES.has(code) ? (code as ApiErrorCode) : 'INTERNAL_SERVER_ERROR';
}

/** The sentence shown when an API key is refused, over HTTP or the live connection. */
export const REJECTED_KEY_MESSAGE =
  'The gateway did not accept this API key. Check that it was pasted whole and has not been revoked.';

/** A message for people, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
