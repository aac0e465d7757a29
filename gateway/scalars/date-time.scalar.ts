import { GraphQLScalarType, Kind } from 'graphql';

/** RFC 3339 date-time with an explicit offset, e.g. `2026-01-31T12:00:00.000Z` or `2026-01-31T13:00:00+01:00`. */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|([+-])(\d{2}):(\d{2}))$/i;

const FORMAT_HINT = 'DateTime must be an ISO-8601 string with a time zone, e.g. 2026-01-31T12:00:00Z';

function parseIso(value: unknown): Date {
  const match = typeof value === 'string' ? ISO_8601.exec(value) : null;
  if (match === null) throw new TypeError(FORMAT_HINT);
  const field = (group: number): number => Number(match[group] ?? 0);
  const [year, month, day] = [field(1), field(2), field(3)];
  const [hour, minute, second] = [field(4), field(5), field(6)];
  const [offsetHours, offsetMinutes] = [field(10), field(11)];
  // `Date` rolls impossible fields over (Feb 30 becomes Mar 2): refuse them instead of guessing.
  // setUTCFullYear, not Date.UTC: that one reads years 0–99 as 1900–1999.
  const calendar = new Date(0);
  calendar.setUTCFullYear(year, month - 1, day);
  const isRealDay =
    calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
  if (!isRealDay || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59)
    throw new TypeError(`DateTime "${String(value)}" is not a valid instant`);
  return new Date(value as string);
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
