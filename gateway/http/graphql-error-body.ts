import type { ErrorCode } from '../errors/error-code';

/** A GraphQL-shaped error body for refusals made before GraphQL runs (401, 413, 429 ...). */
export function graphqlErrorBody(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): { errors: Array<{ message: string; extensions: Record<string, unknown> }> } {
  return { errors: [{ message, extensions: { ...extensions, code } }] };
}
