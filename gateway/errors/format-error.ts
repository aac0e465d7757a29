import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { ErrorCode } from './error-code';
import { isDependencyOutage, OUTAGE_MESSAGE } from './dependency-outage';
import { GatewayError } from './gateway-errors';

const CLIENT_CODES = new Set<string>(Object.values(ErrorCode));

/** Codes Apollo gives the client's own mistakes (syntax, validation, variable coercion, bad request). */
const GRAPHQL_INPUT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** graphql-js's parser message when `maxTokens` is exceeded. */
// graphql 16 spells it "more that"; later versions may fix the typo.
const TOKEN_LIMIT_MESSAGE = /Document contains more tha[nt] \d+ tokens/;

function unwrap(error: unknown): unknown {
  // Apollo and graphql-js wrap resolver errors; the innermost one tells what really happened.
  if (error instanceof GraphQLError && error.originalError) return unwrap(error.originalError);
  return error;
}

function carriesClientCode(error: unknown): error is GraphQLError {
  if (error instanceof GatewayError) return true;
  const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
  return typeof code === 'string' && CLIENT_CODES.has(code);
}

/**
 * Shapes every error leaving the gateway (HTTP and websocket): errors with a code from
 * {@link ErrorCode} pass; GraphQL's own input errors become BAD_USER_INPUT (a document over the
 * token limit QUERY_TOO_COMPLEX); an unreachable database is DEPENDENCY_UNAVAILABLE (logged
 * without its stack: the cause is outside the gateway); anything else is logged with its stack and
 * shown only as INTERNAL_SERVER_ERROR.
 */
export function createErrorFormatter(
  logger: Logger,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = unwrap(error);
    const { locations, path } = formatted;
    if (carriesClientCode(original)) {
      const {
        stacktrace: _stacktrace,
        http: _http,
        exception: _exception,
        ...extensions
      } = { ...original.extensions } as Record<string, unknown>;
      return {
        message: original.message,
        locations,
        path,
        extensions: { ...extensions, code: original.extensions.code },
      };
    }
    const formattedCode = formatted.extensions?.code;
    if (formattedCode === 'GRAPHQL_PARSE_FAILED' && TOKEN_LIMIT_MESSAGE.test(formatted.message)) {
      return {
        message: formatted.message,
        locations,
        extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, measure: 'tokens' },
      };
    }
    if (typeof formattedCode === 'string' && GRAPHQL_INPUT_CODES.has(formattedCode)) {
      return { message: formatted.message, locations, path, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    if (original instanceof GraphQLError && path === undefined) {
      // A GraphQLError outside any field: graphql-js rejecting the document or its variables.
      return { message: formatted.message, locations, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    if (isDependencyOutage(original)) {
      const cause = original instanceof Error ? `${original.name}: ${original.message}` : String(original);
      logger.warn({ cause, path }, 'database unreachable while executing an operation');
      return { message: OUTAGE_MESSAGE, locations, path, extensions: { code: ErrorCode.DEPENDENCY_UNAVAILABLE } };
    }
    logger.error({ err: original, path }, 'unexpected error while executing an operation');
    return { message: 'internal server error', locations, path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
