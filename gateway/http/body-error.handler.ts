import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors/error-code';
import { graphqlErrorBody } from './graphql-error-body';

/** Turns body-parser failures (too large, not JSON) into GraphQL-shaped client errors; anything else is a 500 without details. */
export function bodyErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: { type?: string; status?: number; message?: string }, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error.type === 'entity.too.large') {
      res.status(413).json(graphqlErrorBody(ErrorCode.BAD_USER_INPUT, 'request body too large'));
      return;
    }
    if (
      error.type === 'entity.parse.failed' ||
      error.type === 'encoding.unsupported' ||
      error.type === 'charset.unsupported'
    ) {
      res.status(400).json(graphqlErrorBody(ErrorCode.BAD_USER_INPUT, 'request body is not valid JSON'));
      return;
    }
    if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      res.status(error.status).json(graphqlErrorBody(ErrorCode.BAD_USER_INPUT, error.message ?? 'bad request'));
      return;
    }
    logger.error({ err: error }, 'unhandled HTTP error');
    res.status(500).json(graphqlErrorBody(ErrorCode.INTERNAL_SERVER_ERROR, 'internal server error'));
  };
}
