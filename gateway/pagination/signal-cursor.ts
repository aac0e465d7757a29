import { Types } from 'mongoose';
import { BadUserInputError } from '../errors/gateway-errors';

/** Position of a signal in time order: its `time`, then its id (ties broken by id, so every position is unique). */
export interface SignalCursor {
  timeMs: number;
  id: string;
}

const VERSION = 's1';
const DECODED_PATTERN = /^s1:(-?\d{1,16}):([0-9a-f]{24})$/;

/** Opaque cursor of a signal; stable for as long as the signal exists, whatever is inserted around it. */
export function encodeSignalCursor(cursor: SignalCursor): string {
  return Buffer.from(`${VERSION}:${cursor.timeMs}:${cursor.id}`, 'utf8').toString('base64url');
}

/** Inverse of {@link encodeSignalCursor}; BAD_USER_INPUT for anything it did not produce. */
export function decodeSignalCursor(cursor: string, argument = 'after'): SignalCursor {
  const decoded = cursor.length <= 128 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = DECODED_PATTERN.exec(decoded);
  const timeMs = Number(match?.[1]);
  // 16 digits reach past the last instant a Date holds (±8.64e15 ms): such a time was never encoded.
  if (!match || !Types.ObjectId.isValid(match[2] as string) || Number.isNaN(new Date(timeMs).getTime())) {
    throw new BadUserInputError(`\`${argument}\` is not a signal cursor from this API`, { argument });
  }
  return { timeMs, id: match[2] as string };
}
