import { DEVICE_ID_PATTERN } from '../../schema';
import { BadUserInputError } from '../errors/gateway-errors';

const PREFIX = 'd1:';

/** Opaque cursor of a device in id order. */
export function encodeDeviceCursor(deviceId: string): string {
  return Buffer.from(`${PREFIX}${deviceId}`, 'utf8').toString('base64url');
}

/** Inverse of {@link encodeDeviceCursor}; BAD_USER_INPUT for anything it did not produce. */
export function decodeDeviceCursor(cursor: string, argument = 'after'): string {
  const decoded = cursor.length <= 128 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const deviceId = decoded.startsWith(PREFIX) ? decoded.slice(PREFIX.length) : '';
  if (!DEVICE_ID_PATTERN.test(deviceId))
    throw new BadUserInputError(`\`${argument}\` is not a device cursor from this API`, { argument });
  return deviceId;
}
