import { GraphQLScalarType, Kind } from 'graphql';

/** RFC 3339 date-time with an explicit offset, e.g. `2026-01-31T12:00:00.000Z` or `2026-01-31T13:00:00+01:00`. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

function parseIso(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_8601.test(value)) {
    throw new TypeError('DateTime must be an ISO-8601 string with a time zone, e.g. 2026-01-31T12:00:00Z');
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`DateTime "${value}" is not a valid instant`);
  return date;
}

/** `DateTime`: an instant, written as ISO-8601 in UTC; read from ISO-8601 with any offset. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'An instant as an ISO-8601 string with a time zone (output always in UTC, e.g. 2026-01-31T12:00:00.000Z).',
  serialize(value) {
    const date =
      value instanceof Date ? value : typeof value === 'number' || typeof value === 'string' ? new Date(value) : null;
    if (date === null || Number.isNaN(date.getTime()))
      throw new TypeError('DateTime cannot represent a non-date value');
    return date.toISOString();
  },
  parseValue: parseIso,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime must be a string');
    return parseIso(ast.value);
  },
});
