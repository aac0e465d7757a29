import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { ErrorCode } from './error-code';

const CLIENT_CODES = new Set<string>(Object.values(ErrorCode));

/** GraphQL's own request errors (syntax, validation, variable coercion) are the client's fault. */
const GRAPHQL_INPUT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

/** graphql-js's parser message when `maxTokens` is exceeded. */
const TOKEN_LIMIT_MESSAGE = /Document contains more than \d+ tokens/;

function unwrap(error: unknown): unknown {
  // Apollo and graphql-js wrap resolver errors; the original tells what really happened.
  if (error instanceof GraphQLError && error.originalError) return unwrap(error.originalError);
  return error;
}

/**
 * Shapes every error leaving the gateway (HTTP and websocket): errors with a code from
 * {@link ErrorCode} pass; GraphQL's own input errors become BAD_USER_INPUT; anything else is
 * logged with its stack and shown only as INTERNAL_SERVER_ERROR.
 */
export function createErrorFormatter(logger: Logger): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = unwrap(error);
    const code = original instanceof GraphQLError ? original.extensions?.code : formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code) && (original instanceof GraphQLError || original === undefined)) {
      const { stacktrace: _stacktrace, http: _http, exception: _exception, ...extensions } = {
        ...formatted.extensions,
        ...(original instanceof GraphQLError ? original.extensions : {}),
      } as Record<string, unknown>;
      return { ...formatted, extensions: { ...extensions, code } };
    }
    if (code === 'GRAPHQL_PARSE_FAILED' && TOKEN_LIMIT_MESSAGE.test(formatted.message)) {
      return { message: formatted.message, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, measure: 'tokens' } };
    }
    if (typeof code === 'string' && GRAPHQL_INPUT_CODES.has(code)) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    if (original instanceof GraphQLError && original.originalError === undefined && code === undefined && formatted.path === undefined) {
      // A bare GraphQLError without a path comes from graphql-js validation/parsing: client input.
      return { message: formatted.message, locations: formatted.locations, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while executing an operation');
    return { message: 'internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
