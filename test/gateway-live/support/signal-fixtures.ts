import { createHash, randomUUID } from 'node:crypto';
import type { ReturnModelType } from '@typegoose/typegoose';
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import {
  allSignalsChannelFor,
  deviceSignalChannelFor,
  encodeTrack,
  type ProcessedSignalEvent,
  type Signal,
  type TrackPoint,
} from '../../../schema';

/** A signal as the processor stores it, and the event it publishes for it. */
export interface SignalFixture {
  document: Signal;
  event: ProcessedSignalEvent;
}

/**
 * A small signal of `deviceId` around (lat, lon): three samples one second apart.
 * Ids are created now, so fixtures made later sort later (ingest order).
 */
export function makeSignal(
  deviceId: string,
  at: { lat: number; lon: number } = { lat: 52.52, lon: 13.4 },
  timeMs = Date.now(),
): SignalFixture {
  const points: TrackPoint[] = [0, 1, 2].map((i) => ({
    time: timeMs + i * 1000,
    lat: at.lat + i * 0.0001,
    lon: at.lon + i * 0.0001,
    speed: 5 + i,
  }));
  const first = points[0] as TrackPoint;
  const last = points[points.length - 1] as TrackPoint;
  const _id = new Types.ObjectId();
  const ingestedAt = Date.now();
  const bbox = { minLat: first.lat, maxLat: last.lat, minLon: first.lon, maxLon: last.lon };
  const stats = { distanceMeters: 27.1, maxSpeed: 7, avgSpeed: 6, durationMs: 2000, droppedSamples: 0 };
  const correlationId = randomUUID();
  const document = {
    _id,
    deviceId,
    time: new Date(timeMs),
    dataLength: points.length,
    dataVolume: 120,
    stats: { ...stats, speedSum: 18 },
    bbox,
    start: { ...first, time: new Date(first.time) },
    end: { ...last, time: new Date(last.time) },
    ingestedAt: new Date(ingestedAt),
    track: encodeTrack(points),
    rawSha256: createHash('sha256').update(_id.toHexString()).digest('hex'),
    rawPayloadId: new Types.ObjectId(),
    idempotencyKey: `${deviceId}:${timeMs}:${_id.toHexString()}`,
    rollupState: 'applied',
    correlationId,
  } as Signal;
  const event: ProcessedSignalEvent = {
    signalId: _id.toHexString(),
    deviceId,
    time: timeMs,
    ingestedAt,
    dataLength: points.length,
    dataVolume: 120,
    stats,
    bbox,
    start: first,
    end: last,
    correlationId,
  };
  return { document, event };
}

/** Publishes the event exactly as the processor does: one MULTI, device channel then all-devices channel. */
export async function publishEvent(publisher: Redis, namespace: string, event: ProcessedSignalEvent): Promise<void> {
  const json = JSON.stringify(event);
  await publisher
    .multi()
    .publish(deviceSignalChannelFor(namespace, event.deviceId), json)
    .publish(allSignalsChannelFor(namespace), json)
    .exec();
}

/** Stores the signals (as the processor does, before publishing) and publishes their events in order. */
export async function storeAndPublish(
  signals: ReturnModelType<typeof Signal>,
  publisher: Redis,
  namespace: string,
  fixtures: readonly SignalFixture[],
): Promise<void> {
  await store(signals, fixtures);
  for (const fixture of fixtures) await publishEvent(publisher, namespace, fixture.event);
}

/** Stores the signals without publishing (what happened while a client was away). */
export async function store(
  signals: ReturnModelType<typeof Signal>,
  fixtures: readonly SignalFixture[],
): Promise<void> {
  if (fixtures.length === 0) return;
  await signals.collection.insertMany(fixtures.map((f) => ({ ...f.document })) as never[], { ordered: true });
}
