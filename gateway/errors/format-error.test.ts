import { GraphQLError } from 'graphql';
import pino from 'pino';
import { createErrorFormatter } from './format-error';
import { NotFoundError } from './gateway-errors';

function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => lines.push(line) });
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
});
