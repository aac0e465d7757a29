import { Types } from 'mongoose';
import { DEVICE_ID_PATTERN } from '../../schema';
import { BadUserInputError } from '../errors/gateway-errors';
import { validateBBox, type BBoxFilter } from './bbox-filter';

/** Most device ids one subscription may name (each is one Redis channel). */
export const MAX_SUBSCRIPTION_DEVICE_IDS = 100;

/** Distinct, well-formed device ids; undefined when the client named none (every device). */
export function validateDeviceIds(deviceIds: readonly string[] | null | undefined): string[] | undefined {
  if (deviceIds === null || deviceIds === undefined) return undefined;
  const ids = [...new Set(deviceIds)];
  if (ids.length > MAX_SUBSCRIPTION_DEVICE_IDS) {
    throw new BadUserInputError(`deviceIds: at most ${MAX_SUBSCRIPTION_DEVICE_IDS} devices per subscription`, {
      argument: 'deviceIds',
    });
  }
  for (const id of ids) {
    if (!DEVICE_ID_PATTERN.test(id))
      throw new BadUserInputError(`deviceIds: "${id.slice(0, 80)}" is not a device id`, { argument: 'deviceIds' });
  }
  return ids;
}

/** The bbox argument checked, or undefined when absent. */
export function validateOptionalBBox(bbox: BBoxFilter | null | undefined): BBoxFilter | undefined {
  return bbox === null || bbox === undefined ? undefined : validateBBox(bbox);
}

/** The `since` signal id as an ObjectId, or undefined when absent. */
export function validateSince(since: string | null | undefined): Types.ObjectId | undefined {
  if (since === null || since === undefined) return undefined;
  if (!/^[0-9a-f]{24}$/i.test(since))
    throw new BadUserInputError('since: must be the id of a signal (24 hex digits)', { argument: 'since' });
  return new Types.ObjectId(since);
}
