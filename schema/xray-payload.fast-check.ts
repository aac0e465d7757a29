import {
  EARLIEST_MESSAGE_TIME_MS,
  MAX_SAMPLES_PER_MESSAGE,
  MAX_SPEED,
  OFFSET_LIMIT_MS,
  type XRayPayload,
} from './xray-message';

function isOffset(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < OFFSET_LIMIT_MS;
}

function isPosition(value: unknown): boolean {
  if (!Array.isArray(value) || value.length !== 3) return false;
  const [lat, lon, speed] = value as unknown[];
  return (
    typeof lat === 'number' &&
    lat >= -90 &&
    lat <= 90 &&
    typeof lon === 'number' &&
    lon >= -180 &&
    lon <= 180 &&
    typeof speed === 'number' &&
    speed >= 0 &&
    speed <= MAX_SPEED
  );
}

/**
 * True when `payload` is a well-formed x-ray payload by the rules of the zod schema in
 * `xray-message.validator.ts` (which stays the authority, and the one that words the errors).
 *
 * Why it exists: ingest and the processor both validate every message, and zod checks a sample
 * through two nested tuple schemas and copies every array it passes; on the 563-sample sample that
 * was ~13–15 % of each service's CPU in the throughput bench and much of its garbage. This loop
 * reads the parsed JSON in place. It may only ever be stricter than the schema: whatever it
 * refuses is handed to zod, which accepts it or says what is wrong.
 */
export function isWellFormedPayload(payload: unknown): payload is XRayPayload {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return false;
  const keys = Object.keys(payload);
  if (keys.length !== 2 || !Object.hasOwn(payload, 'data') || !Object.hasOwn(payload, 'time')) return false;
  const { data, time } = payload as { data: unknown; time: unknown };
  if (!Number.isSafeInteger(time) || (time as number) < EARLIEST_MESSAGE_TIME_MS) return false;
  if (!Array.isArray(data) || data.length < 1 || data.length > MAX_SAMPLES_PER_MESSAGE) return false;
  for (const sample of data as unknown[]) {
    if (!Array.isArray(sample) || sample.length !== 2) return false;
    if (!isOffset(sample[0]) || !isPosition(sample[1])) return false;
  }
  return true;
}
