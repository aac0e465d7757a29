import { BadUserInputError } from '../errors/gateway-errors';

/** Which way a page is read from its cursor. */
export type PageDirection = 'forward' | 'backward';

/** A validated page request: how many items, from which cursor, which way. */
export interface PageRequest {
  size: number;
  direction: PageDirection;
  cursor: string | undefined;
}

/** Raw Relay arguments as the client sent them. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

function checkSize(name: string, value: number, maxPageSize: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new BadUserInputError(`\`${name}\` must be a non-negative integer`, { argument: name });
  if (value > maxPageSize)
    throw new BadUserInputError(`\`${name}\` must be at most ${maxPageSize}`, { argument: name, max: maxPageSize });
  return value;
}

/**
 * Relay arguments to one page request. Forward (`first`/`after`) unless `last` or `before` is
 * given, in which case the page ends just before `before` and holds `last` (else `first`) items.
 * A request that mixes both directions (`after` with `last` or `before`; `first` with `last`)
 * is refused, naming the argument that does not fit, rather than read one way silently.
 */
export function toPageRequest(args: PageArgs, defaultSize: number, maxPageSize: number): PageRequest {
  const given = (value: unknown): boolean => value !== undefined && value !== null;
  if (given(args.first) && given(args.last)) {
    const message = '`first` and `last` cannot be combined: page forward with `first`, backward with `last`';
    throw new BadUserInputError(message, { argument: 'last' });
  }
  const backward = given(args.last) || given(args.before);
  if (backward) {
    if (given(args.after)) {
      const other = given(args.before) ? 'before' : 'last';
      throw new BadUserInputError(
        `\`after\` and \`${other}\` cannot be combined: page forward with \`first\`/\`after\`, backward with \`last\`/\`before\``,
        { argument: other },
      );
    }
    const size = args.last ?? args.first ?? defaultSize;
    return {
      size: checkSize(given(args.last) ? 'last' : 'first', size, maxPageSize),
      direction: 'backward',
      cursor: args.before ?? undefined,
    };
  }
  return {
    size: checkSize('first', args.first ?? defaultSize, maxPageSize),
    direction: 'forward',
    cursor: args.after ?? undefined,
  };
}
