import { Types } from 'mongoose';
import { toLiveEvent, type LiveEvent } from '../../gateway/live/live-event';
import type { ProcessedSignalEvent } from '../../schema';

/** A one-sample processed-signal event of `deviceId` whose sample (start and end) is at `endTime`. */
export function processedEvent(
  deviceId: string,
  endTime: number,
  signalId = new Types.ObjectId().toHexString(),
): ProcessedSignalEvent {
  const sample = { time: endTime, lat: 1, lon: 2, speed: 3 };
  return {
    signalId,
    deviceId,
    time: endTime,
    ingestedAt: endTime,
    dataLength: 1,
    dataVolume: 10,
    stats: { distanceMeters: 0, maxSpeed: 3, avgSpeed: 3, durationMs: 0, droppedSamples: 0 },
    bbox: { minLat: 1, maxLat: 1, minLon: 2, maxLon: 2 },
    start: sample,
    end: sample,
    correlationId: 'c',
  };
}

/** The event as the live feed hands it to streams. */
export function liveOf(payload: ProcessedSignalEvent | undefined): LiveEvent {
  const live = toLiveEvent(payload);
  if (!live) throw new Error('not a well-formed event');
  return live;
}
