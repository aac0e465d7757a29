import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { haversineMeters } from '../../processor/haversine';
import { encodeTrack, type TrackPoint, type XRayMessage } from '../../schema';

/** The sample's samples as relative points (time from the message time, offsets unwrapped per minute). */
export function relativeTrackOf(message: XRayMessage): TrackPoint[] {
  const payload = Object.values(message)[0];
  if (!payload) return [];
  const points: TrackPoint[] = [];
  let minutes = 0;
  let previousOffset = -1;
  for (const [offset, [lat, lon, speed]] of payload.data) {
    if (offset < previousOffset) minutes += 1;
    previousOffset = offset;
    points.push({ time: offset + minutes * 60_000, lat, lon, speed });
  }
  return points;
}

/** A stored signal document as the processor writes it (plain object for the driver's insertMany). */
export interface SignalDocument {
  _id: Types.ObjectId;
  deviceId: string;
  time: Date;
  dataLength: number;
  dataVolume: number;
  stats: { distanceMeters: number; maxSpeed: number; avgSpeed: number; durationMs: number; droppedSamples: number; speedSum: number; sampleCount: number };
  bbox: { minLat: number; maxLat: number; minLon: number; maxLon: number };
  start: { time: Date; lat: number; lon: number; speed: number };
  end: { time: Date; lat: number; lon: number; speed: number };
  ingestedAt: Date;
  track: Buffer;
  rawSha256: string;
  rawPayloadId: Types.ObjectId;
  idempotencyKey: string;
  rollupState: 'applied';
}

/** Builds the signal document of `relative` points shifted to `time` (and by `latShift` degrees, so tracks differ). */
export function signalDocumentFor(options: {
  deviceId: string;
  time: number;
  relative: ReadonlyArray<TrackPoint>;
  dataVolume: number;
  rawPayloadId: Types.ObjectId;
  ingestedAt: Date;
  latShift?: number;
}): SignalDocument {
  const shift = options.latShift ?? 0;
  const points = options.relative.map((point) => ({ time: options.time + point.time, lat: point.lat + shift, lon: point.lon, speed: point.speed }));
  let distanceMeters = 0;
  let maxSpeed = 0;
  let speedSum = 0;
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLon = Infinity;
  let maxLon = -Infinity;
  points.forEach((point, index) => {
    const previous = points[index - 1];
    if (previous) distanceMeters += haversineMeters(previous, point);
    maxSpeed = Math.max(maxSpeed, point.speed);
    speedSum += point.speed;
    minLat = Math.min(minLat, point.lat);
    maxLat = Math.max(maxLat, point.lat);
    minLon = Math.min(minLon, point.lon);
    maxLon = Math.max(maxLon, point.lon);
  });
  const first = points[0]!;
  const last = points[points.length - 1]!;
  const track = encodeTrack(points);
  const rawSha256 = createHash('sha256').update(`${options.deviceId}|${options.time}`).digest('hex');
  return {
    _id: new Types.ObjectId(),
    deviceId: options.deviceId,
    time: new Date(options.time),
    dataLength: points.length,
    dataVolume: options.dataVolume,
    stats: { distanceMeters, maxSpeed, avgSpeed: speedSum / points.length, durationMs: last.time - first.time, droppedSamples: 0, speedSum, sampleCount: points.length },
    bbox: { minLat, maxLat, minLon, maxLon },
    start: { time: new Date(first.time), lat: first.lat, lon: first.lon, speed: first.speed },
    end: { time: new Date(last.time), lat: last.lat, lon: last.lon, speed: last.speed },
    ingestedAt: options.ingestedAt,
    track,
    rawSha256,
    rawPayloadId: options.rawPayloadId,
    idempotencyKey: `${options.deviceId}|${options.time}|${rawSha256}`,
    rollupState: 'applied',
  };
}
