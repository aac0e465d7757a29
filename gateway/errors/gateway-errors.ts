import { GraphQLError } from 'graphql';
import { ErrorCode } from './error-code';

/** Extra, client-safe details an error may carry next to its code. */
export type ErrorDetails = Record<string, unknown>;

/**
 * Base of every error a client may see: a GraphQLError whose `extensions.code` comes from
 * {@link ErrorCode}. Anything else reaching `formatError` is hidden as INTERNAL_SERVER_ERROR.
 */
export abstract class GatewayError extends GraphQLError {
  abstract readonly code: ErrorCode;

  protected constructor(code: ErrorCode, message: string, details?: ErrorDetails) {
    super(message, { extensions: { ...details, code } });
    this.name = new.target.name;
  }
}

/** No API key, or one that is unknown or revoked. */
export class UnauthenticatedError extends GatewayError {
  readonly code = ErrorCode.UNAUTHENTICATED;
  constructor(message = 'a valid API key is required (header X-API-Key)', details?: ErrorDetails) {
    super(ErrorCode.UNAUTHENTICATED, message, details);
  }
}

/** The key is valid but its role may not do this. */
export class ForbiddenError extends GatewayError {
  readonly code = ErrorCode.FORBIDDEN;
  constructor(message = 'this API key may not perform this operation', details?: ErrorDetails) {
    super(ErrorCode.FORBIDDEN, message, details);
  }
}

/** An argument is malformed or out of range; nothing was changed. */
export class BadUserInputError extends GatewayError {
  readonly code = ErrorCode.BAD_USER_INPUT;
  constructor(message: string, details?: ErrorDetails) {
    super(ErrorCode.BAD_USER_INPUT, message, details);
  }
}

/** The addressed object does not exist. */
export class NotFoundError extends GatewayError {
  readonly code = ErrorCode.NOT_FOUND;
  constructor(message: string, details?: ErrorDetails) {
    super(ErrorCode.NOT_FOUND, message, details);
  }
}

/** The key used up its request budget; `retryAfterMs` says when to try again. */
export class RateLimitedError extends GatewayError {
  readonly code = ErrorCode.RATE_LIMITED;
  constructor(retryAfterMs: number, message = 'rate limit exceeded for this API key') {
    super(ErrorCode.RATE_LIMITED, message, { retryAfterMs });
  }
}

/** The operation is too deep, too costly, has too many aliases or tokens. */
export class QueryTooComplexError extends GatewayError {
  readonly code = ErrorCode.QUERY_TOO_COMPLEX;
  constructor(message: string, details?: ErrorDetails) {
    super(ErrorCode.QUERY_TOO_COMPLEX, message, details);
  }
}

/**
 * A service the gateway depends on cannot be reached, and nothing was done: retrying the same
 * operation later is safe.
 */
export class DependencyUnavailableError extends GatewayError {
  readonly code = ErrorCode.DEPENDENCY_UNAVAILABLE;
  constructor(message: string, details?: ErrorDetails) {
    super(ErrorCode.DEPENDENCY_UNAVAILABLE, message, details);
  }
}

/**
 * A failure the client can do nothing about but retry. The message is safe to show: it never
 * carries internal details (those go to the log).
 */
export class InternalServerError extends GatewayError {
  readonly code = ErrorCode.INTERNAL_SERVER_ERROR;
  constructor(message = 'internal server error', details?: ErrorDetails) {
    super(ErrorCode.INTERNAL_SERVER_ERROR, message, details);
  }
}
