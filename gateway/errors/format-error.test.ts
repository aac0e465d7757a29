import { GraphQLError } from 'graphql';
import mongoose from 'mongoose';
import pino from 'pino';
import { createErrorFormatter } from './format-error';
import { NotFoundError } from './gateway-errors';

function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

describe('createErrorFormatter', () => {
  it('passes errors with a code of the enum, without stack traces', () => {
    const { logger } = capturingLogger();
    const error = new NotFoundError('no such device', { deviceId: 'd' });
    const formatted = createErrorFormatter(logger)(
      { message: error.message, path: ['device'], extensions: { code: 'NOT_FOUND', stacktrace: ['at x'] } },
      new GraphQLError(error.message, { originalError: error, path: ['device'] }),
    );
    expect(formatted).toEqual({
      message: 'no such device',
      path: ['device'],
      locations: undefined,
      extensions: { code: 'NOT_FOUND', deviceId: 'd' },
    });
  });

  it('hides an unknown error as INTERNAL_SERVER_ERROR and logs it with its stack', () => {
    const { logger, lines } = capturingLogger();
    const secret = new Error('connection string mongodb://user:pw@db leaked');
    const formatted = createErrorFormatter(logger)(
      { message: secret.message, path: ['signals'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      new GraphQLError(secret.message, { originalError: secret, path: ['signals'] }),
    );
    expect(formatted).toEqual({
      message: 'internal server error',
      path: ['signals'],
      locations: undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(lines.join('')).toContain('leaked');
    expect(lines.join('')).toContain('"stack"');
  });

  it('maps GraphQL validation errors to BAD_USER_INPUT and the token limit to QUERY_TOO_COMPLEX', () => {
    const { logger } = capturingLogger();
    const format = createErrorFormatter(logger);
    expect(
      format(
        { message: 'Cannot query field "x"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        new GraphQLError('Cannot query field "x"'),
      ).extensions?.code,
    ).toBe('BAD_USER_INPUT');
    const tokens = 'Syntax Error: Document contains more that 10 tokens. Parsing aborted.';
    expect(
      format({ message: tokens, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }, new GraphQLError(tokens)).extensions
        ?.code,
    ).toBe('QUERY_TOO_COMPLEX');
  });

  it('answers an unreachable database with DEPENDENCY_UNAVAILABLE and logs its cause without a stack', () => {
    const { logger, lines } = capturingLogger();
    const format = createErrorFormatter(logger);
    const lost = new mongoose.mongo.MongoNetworkError('connection 3 to 10.0.0.7:27017 closed');
    const formatted = format(
      { message: lost.message, path: ['devices'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      new GraphQLError(lost.message, { originalError: lost, path: ['devices'] }),
    );
    expect(formatted).toEqual({
      message: 'the database is unreachable right now; retry shortly',
      path: ['devices'],
      locations: undefined,
      extensions: { code: 'DEPENDENCY_UNAVAILABLE' },
    });
    expect(lines.join('')).toContain('10.0.0.7');
    expect(lines.join('')).not.toContain('"stack"');
  });

  it('tells outages from other failures of the driver', () => {
    const { logger } = capturingLogger();
    const format = createErrorFormatter(logger);
    const codeOf = (error: Error): unknown =>
      format({ message: error.message, extensions: {} }, new GraphQLError(error.message, { originalError: error }))
        .extensions?.code;
    expect(codeOf(new mongoose.Error('Operation `signals.find()` buffering timed out after 10000ms'))).toBe(
      'DEPENDENCY_UNAVAILABLE',
    );
    expect(codeOf(new mongoose.mongo.MongoNotConnectedError('client is not connected'))).toBe('DEPENDENCY_UNAVAILABLE');
    expect(codeOf(new mongoose.mongo.MongoServerError({ message: 'E11000 duplicate key', code: 11000 }))).toBe(
      'INTERNAL_SERVER_ERROR',
    );
    expect(codeOf(new mongoose.Error.CastError('ObjectId', 'x', '_id'))).toBe('INTERNAL_SERVER_ERROR');
  });
});
