import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import {
  encodeTrack,
  FLEET_DEVICE_ID,
  hourBucketIdFor,
  hourStartOf,
  type Device,
  type HourBucket,
  type Signal,
  type TrackPoint,
  utcDayOf,
} from '../../../schema';
import type { GatewayModels } from '../../../gateway/db/gateway-models';
import { recordDayFieldsDone } from '../../../processor/day-field.backfill';

/** What a seeded signal looks like; everything else is derived as the processor would. */
export interface SignalSpec {
  deviceId: string;
  /** Message time, epoch ms; samples start here, one per second. */
  timeMs: number;
  /** Sample positions `[lat, lon, speed]`. */
  samples: Array<[number, number, number]>;
  dataVolume?: number;
  ingestedAtMs?: number;
  /** Stored as before `signal_tracks` existed: the track inside the signal, no `trackId`. */
  legacyTrack?: boolean;
}

function haversineMeters(a: TrackPoint, b: TrackPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

/** A signal document as the processor would store it. */
export function signalDocument(spec: SignalSpec): Signal {
  const points: TrackPoint[] = spec.samples.map(([lat, lon, speed], i) => ({
    time: spec.timeMs + i * 1000,
    lat,
    lon,
    speed,
  }));
  const first = points[0] as TrackPoint;
  const last = points[points.length - 1] as TrackPoint;
  const _id = new Types.ObjectId();
  let distanceMeters = 0;
  for (let i = 1; i < points.length; i += 1)
    distanceMeters += haversineMeters(points[i - 1] as TrackPoint, points[i] as TrackPoint);
  const speedSum = points.reduce((sum, p) => sum + p.speed, 0);
  return {
    _id,
    deviceId: spec.deviceId,
    time: new Date(spec.timeMs),
    day: utcDayOf(spec.timeMs),
    dataLength: points.length,
    dataVolume: spec.dataVolume ?? 40 * points.length,
    stats: {
      distanceMeters,
      maxSpeed: Math.max(...points.map((p) => p.speed)),
      avgSpeed: speedSum / points.length,
      durationMs: last.time - first.time,
      droppedSamples: 0,
      speedSum,
    },
    bbox: {
      minLat: Math.min(...points.map((p) => p.lat)),
      maxLat: Math.max(...points.map((p) => p.lat)),
      minLon: Math.min(...points.map((p) => p.lon)),
      maxLon: Math.max(...points.map((p) => p.lon)),
    },
    start: { ...first, time: new Date(first.time) },
    end: { ...last, time: new Date(last.time) },
    ingestedAt: new Date(spec.ingestedAtMs ?? Date.now()),
    track: encodeTrack(points),
    rawSha256: createHash('sha256').update(_id.toHexString()).digest('hex'),
    rawPayloadId: new Types.ObjectId(),
    idempotencyKey: `${spec.deviceId}:${spec.timeMs}:${_id.toHexString()}`,
    rollupState: 'applied',
  };
}

/**
 * Stores signals and rebuilds every device and hour-bucket rollup from all stored signals, the
 * invariant the processor keeps (rollup = recomputation from signals).
 */
export async function storeSignals(models: GatewayModels, specs: SignalSpec[]): Promise<Signal[]> {
  const documents: Signal[] = [];
  const tracks: Array<{ _id: Types.ObjectId; deviceId: string; track: Buffer | undefined }> = [];
  for (const spec of specs) {
    const { track, ...signal } = signalDocument(spec);
    if (spec.legacyTrack) {
      documents.push({ ...signal, track });
      continue;
    }
    // As the processor stores them: the track in `signal_tracks`, named by `trackId`.
    const trackId = new Types.ObjectId();
    tracks.push({ _id: trackId, deviceId: signal.deviceId, track });
    documents.push({ ...signal, trackId });
  }
  if (tracks.length > 0) await models.signalTracks.insertMany(tracks);
  if (documents.length > 0) await models.signals.insertMany(documents);
  await rebuildRollups(models);
  // Every document seeded here carries its day, as the processor writes them.
  await recordDayFieldsDone(models.signals.db.db!);
  return documents;
}

/** Deletes signals and rebuilds the rollups without them. */
export async function removeSignals(models: GatewayModels, signals: Signal[]): Promise<void> {
  for (const signal of signals) await models.signals.deleteOne({ _id: signal._id });
  await rebuildRollups(models);
}

async function rebuildRollups(models: GatewayModels): Promise<void> {
  const all = await models.signals
    .find({}, { track: 1, deviceId: 1, time: 1, dataVolume: 1, stats: 1, ingestedAt: 1, dataLength: 1, end: 1 })
    .limit(100_000)
    .lean<Signal[]>();
  const devices = new Map<string, Device>();
  const buckets = new Map<string, HourBucket>();
  for (const s of all) {
    const device = devices.get(s.deviceId) ?? {
      _id: s.deviceId,
      firstSeen: s.ingestedAt,
      lastSeen: s.ingestedAt,
      lastPosition: s.end,
      signalCount: 0,
      totalDistanceMeters: 0,
      maxSpeed: 0,
      speedSum: 0,
      sampleCount: 0,
      dataVolume: 0,
    };
    device.signalCount += 1;
    device.totalDistanceMeters += s.stats.distanceMeters;
    device.maxSpeed = Math.max(device.maxSpeed, s.stats.maxSpeed);
    device.speedSum += s.stats.speedSum;
    device.sampleCount += s.dataLength;
    device.dataVolume += s.dataVolume;
    if (s.ingestedAt < device.firstSeen) device.firstSeen = s.ingestedAt;
    if (s.ingestedAt > device.lastSeen) device.lastSeen = s.ingestedAt;
    if (!device.lastPosition || s.end.time > device.lastPosition.time) device.lastPosition = s.end;
    devices.set(s.deviceId, device);
    for (const subject of [s.deviceId, FLEET_DEVICE_ID]) {
      const id = hourBucketIdFor(subject, s.time);
      const bucket = buckets.get(id) ?? {
        _id: id,
        deviceId: subject,
        hourStart: hourStartOf(s.time),
        day: utcDayOf(s.time),
        count: 0,
        dataVolume: 0,
        distanceMeters: 0,
        maxSpeed: 0,
        speedSum: 0,
        sampleCount: 0,
        firstSeen: s.ingestedAt,
        lastSeen: s.ingestedAt,
      };
      bucket.count += 1;
      bucket.dataVolume += s.dataVolume;
      bucket.distanceMeters += s.stats.distanceMeters;
      bucket.maxSpeed = Math.max(bucket.maxSpeed, s.stats.maxSpeed);
      bucket.speedSum += s.stats.speedSum;
      bucket.sampleCount += s.dataLength;
      if (bucket.firstSeen && s.ingestedAt < bucket.firstSeen) bucket.firstSeen = s.ingestedAt;
      if (bucket.lastSeen && s.ingestedAt > bucket.lastSeen) bucket.lastSeen = s.ingestedAt;
      buckets.set(id, bucket);
    }
  }
  await models.devices.deleteMany({});
  await models.hourBuckets.deleteMany({});
  if (devices.size > 0) await models.devices.insertMany([...devices.values()]);
  if (buckets.size > 0) await models.hourBuckets.insertMany([...buckets.values()]);
}
