import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { XRaySample } from '../schema';

/**
 * The canonical form of a message's samples: JSON of the validated `[offset, [lat, lon, speed]]`
 * array. Validation rebuilt it from parsed numbers, so whitespace, key order of the envelope and
 * number spelling (`1.0` vs `1`, `1e2` vs `100`) of the bytes as received do not change it.
 */
export function canonicalDataJson(data: ReadonlyArray<XRaySample>): string {
  // Exactly `JSON.stringify` of the rebuilt arrays (a finite number prints the same either way),
  // without building them: this runs for every message.
  let json = '[';
  for (const [index, [offset, [lat, lon, speed]]] of data.entries()) {
    json += `${index === 0 ? '' : ','}[${offset},[${lat},${lon},${speed}]]`;
  }
  return `${json}]`;
}

/** `deviceId:time:sha256(canonical data)`: the same readings from the same device at the same time. */
export function idempotencyKeyFor(deviceId: string, time: number, data: ReadonlyArray<XRaySample>): string {
  const dataSha256 = createHash('sha256').update(canonicalDataJson(data), 'utf8').digest('hex');
  return `${deviceId}:${time}:${dataSha256}`;
}

/**
 * `_id` of a signal's track in `signal_tracks`, derived from its idempotency key: every delivery of
 * the same readings writes the same track document (the same key means the same kept samples).
 */
export function trackIdFor(idempotencyKey: string): Types.ObjectId {
  const digest = createHash('sha256').update(`track\n${idempotencyKey}`, 'utf8').digest();
  return new Types.ObjectId(digest.subarray(0, 12));
}

/**
 * GridFS id of a raw payload, derived from the signal's idempotency key and the exact bytes, so a
 * redelivery writes the same file again instead of another one, and a re-send with other bytes
 * gets its own file (removed again when its signal turns out to be a duplicate).
 */
export function rawPayloadIdFor(idempotencyKey: string, rawSha256: string): Types.ObjectId {
  const digest = createHash('sha256').update(`${idempotencyKey}\n${rawSha256}`, 'utf8').digest();
  return new Types.ObjectId(digest.subarray(0, 12));
}
