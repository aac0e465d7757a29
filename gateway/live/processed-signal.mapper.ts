import { Types } from 'mongoose';
import { z } from 'zod';
import { DEVICE_ID_PATTERN, type ProcessedSignalEvent, type Signal } from '../../schema';
import type { DevicePosition } from './device-position.model';

// zod 4 numbers reject NaN and Infinity.
const finite = z.number();
const sampleSchema = z.object({ time: finite, lat: finite, lon: finite, speed: finite });

/** Shape check of a Redis event: a malformed message is dropped, never delivered half-read. */
const processedSignalEventSchema = z.object({
  signalId: z.string().regex(/^[0-9a-f]{24}$/i),
  deviceId: z.string().regex(DEVICE_ID_PATTERN),
  time: finite,
  ingestedAt: finite,
  dataLength: z.number().int().nonnegative(),
  dataVolume: z.number().int().nonnegative(),
  stats: z.object({
    distanceMeters: finite,
    maxSpeed: finite,
    avgSpeed: finite,
    durationMs: finite,
    droppedSamples: z.number().int().nonnegative(),
  }),
  bbox: z.object({ minLat: finite, maxLat: finite, minLon: finite, maxLon: finite }),
  start: sampleSchema,
  end: sampleSchema,
  trackId: z
    .string()
    .regex(/^[0-9a-f]{24}$/i)
    .optional(),
  correlationId: z.string().optional(),
  revised: z.literal(true).optional(),
});

/** The event when `payload` is a well-formed {@link ProcessedSignalEvent}, else `undefined`. */
export function parseProcessedSignalEvent(payload: unknown): ProcessedSignalEvent | undefined {
  const result = processedSignalEventSchema.safeParse(payload);
  return result.success ? (result.data as ProcessedSignalEvent) : undefined;
}

/**
 * A signal as delivered live: the stored {@link Signal} without its storage-only fields.
 * Its points are loaded by `trackId` (a signal stored before tracks moved to `signal_tracks` has its
 * `track` looked up through the signal instead).
 */
export type LiveSignal = Omit<
  Signal,
  'track' | 'day' | 'rawSha256' | 'rawPayloadId' | 'idempotencyKey' | 'rollupState' | 'stats'
> &
  Partial<Pick<Signal, 'track' | 'day' | 'rawSha256' | 'rawPayloadId' | 'idempotencyKey' | 'rollupState'>> & {
    stats: Omit<Signal['stats'], 'speedSum'> & Partial<Pick<Signal['stats'], 'speedSum'>>;
  };

/** Maps a Redis event to the {@link Signal} model shape (dates as `Date`, `_id` as ObjectId). */
export function toLiveSignal(event: ProcessedSignalEvent): LiveSignal {
  return {
    _id: new Types.ObjectId(event.signalId),
    deviceId: event.deviceId,
    time: new Date(event.time),
    dataLength: event.dataLength,
    dataVolume: event.dataVolume,
    stats: { ...event.stats },
    bbox: { ...event.bbox },
    start: { ...event.start, time: new Date(event.start.time) },
    end: { ...event.end, time: new Date(event.end.time) },
    ingestedAt: new Date(event.ingestedAt),
    ...(event.trackId ? { trackId: new Types.ObjectId(event.trackId) } : {}),
    correlationId: event.correlationId,
  };
}

/** The event's last kept sample as a {@link DevicePosition}. */
export function toDevicePosition(event: ProcessedSignalEvent): DevicePosition {
  return {
    deviceId: event.deviceId,
    signalId: event.signalId,
    position: { ...event.end, time: new Date(event.end.time) },
  };
}
