import { z } from 'zod';
import {
  DEVICE_ID_PATTERN,
  EARLIEST_MESSAGE_TIME_MS,
  MAX_FUTURE_SKEW_MS,
  MAX_SAMPLES_PER_MESSAGE,
  MAX_SPEED,
  OFFSET_LIMIT_MS,
  type ValidXRayMessage,
} from './xray-message';
import { lastSampleTime } from './sample-times';
import { isWellFormedPayload } from './xray-payload.fast-check';

/** One bad field of a message: its JSON path (e.g. `$.dev1.data[3][1][0]`) and what is wrong. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Result of {@link validateXRayMessage}: the message, or every issue found. */
export type XRayValidationResult = { ok: true; message: ValidXRayMessage } | { ok: false; issues: ValidationIssue[] };

const sampleSchema = z.tuple([
  z
    .number()
    .int('offset must be an integer')
    .min(0, 'offset must be >= 0')
    .lt(OFFSET_LIMIT_MS, `offset must be < ${OFFSET_LIMIT_MS} (milliseconds within the current minute)`),
  z.tuple([
    z.number().min(-90, 'lat must be in [-90, 90]').max(90, 'lat must be in [-90, 90]'),
    z.number().min(-180, 'lon must be in [-180, 180]').max(180, 'lon must be in [-180, 180]'),
    z.number().min(0, 'speed must be >= 0').max(MAX_SPEED, `speed must be <= ${MAX_SPEED}`),
  ]),
]);

/**
 * The authority on a payload's shape and the one that words its errors; well-formed payloads take
 * `isWellFormedPayload` instead (same rules, no copies). Built once: zod compiles a schema's fast
 * path on first use, so a schema built per message would pay that on every message. The time's
 * upper bound moves with the clock and is checked apart.
 */
export const xrayPayloadSchema = z
  .object({
    data: z
      .array(sampleSchema)
      .min(1, 'data must hold at least one sample')
      .max(MAX_SAMPLES_PER_MESSAGE, `data holds at most ${MAX_SAMPLES_PER_MESSAGE} samples`),
    time: z
      .number()
      .int('time must be an integer epoch in milliseconds')
      .min(EARLIEST_MESSAGE_TIME_MS, 'time must not be before 2000-01-01'),
  })
  .strict();

const FUTURE_TIME_MESSAGE = `time must not be more than ${MAX_FUTURE_SKEW_MS / 60_000} min in the future`;
const FUTURE_SAMPLE_MESSAGE = `the last sample must not be more than ${MAX_FUTURE_SKEW_MS / 60_000} min in the future`;

function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    const key = String(part);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${acc}.${key}` : `${acc}[${JSON.stringify(key)}]`;
  }, '$');
}

/**
 * Validates a parsed x-ray message: exactly one device key matching {@link DEVICE_ID_PATTERN}
 * (and equal to `expectedDeviceId` when given), 1..10,000 well-formed samples (integer offsets in
 * 0..59,999 ms, lat/lon in range, speed in 0..MAX_SPEED), a plausible time: not before 2000, and
 * neither it nor its last sample more than MAX_FUTURE_SKEW_MS after `nowMs`.
 * Every issue carries the JSON path of the bad field.
 */
export function validateXRayMessage(
  body: unknown,
  options: { nowMs: number; expectedDeviceId?: string },
): XRayValidationResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, issues: [{ path: '$', message: 'body must be a JSON object keyed by device id' }] };
  }
  const keys = Object.keys(body);
  if (keys.length !== 1) {
    return {
      ok: false,
      issues: [{ path: '$', message: `body must have exactly one device key, found ${keys.length}` }],
    };
  }
  const deviceId = keys[0] as string;
  const issues: ValidationIssue[] = [];
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    issues.push({ path: jsonPath([deviceId]), message: 'device id must match ^[A-Za-z0-9_-]{1,64}$' });
  } else if (options.expectedDeviceId !== undefined && options.expectedDeviceId !== deviceId) {
    issues.push({ path: jsonPath([deviceId]), message: 'device key must equal the X-Device-Id header' });
  }
  const payload = (body as Record<string, unknown>)[deviceId];
  const parsed = isWellFormedPayload(payload)
    ? ({ success: true, data: payload } as const)
    : xrayPayloadSchema.safeParse(payload);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      issues.push({ path: jsonPath([deviceId, ...issue.path]), message: issue.message });
    }
  }
  const time = typeof payload === 'object' && payload !== null ? (payload as { time?: unknown }).time : undefined;
  if (typeof time === 'number' && time > options.nowMs + MAX_FUTURE_SKEW_MS) {
    issues.push({ path: jsonPath([deviceId, 'time']), message: FUTURE_TIME_MESSAGE });
  }
  if (parsed.success && (typeof time !== 'number' || time <= options.nowMs + MAX_FUTURE_SKEW_MS)) {
    if (lastSampleTime(parsed.data) > options.nowMs + MAX_FUTURE_SKEW_MS) {
      issues.push({
        path: jsonPath([deviceId, 'data', parsed.data.data.length - 1, 0]),
        message: FUTURE_SAMPLE_MESSAGE,
      });
    }
  }
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return { ok: true, message: { deviceId, payload: parsed.data } };
}
