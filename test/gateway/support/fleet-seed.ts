import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { encodeTrack, type Signal, type TrackPoint, utcDayOf } from '../../../schema';
import type { GatewayModels } from '../../../gateway/db/gateway-models';
import { recordAntimeridianBoxesDone } from '../../../processor/antimeridian-bbox.backfill';
import { recordDayFieldsDone } from '../../../processor/day-field.backfill';
import { recordLongestSignalSpansDone } from '../../../processor/signal-span.backfill';
import { recomputeRollups } from '../../../processor/rollup-recompute';
import { contributionOf } from '../../../processor/signal-document';

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
  await recordAntimeridianBoxesDone(models.signals.db.db!);
  // Its devices carry their longest span: rebuilt from every signal above.
  await recordLongestSignalSpansDone(models.signals.db.db!);
  return documents;
}

/** Deletes signals and rebuilds the rollups without them. */
export async function removeSignals(models: GatewayModels, signals: Signal[]): Promise<void> {
  for (const signal of signals) await models.signals.deleteOne({ _id: signal._id });
  await rebuildRollups(models);
}

async function rebuildRollups(models: GatewayModels): Promise<void> {
  const all = await models.signals
    .find({}, { deviceId: 1, time: 1, dataVolume: 1, stats: 1, ingestedAt: 1, dataLength: 1, end: 1 })
    .limit(100_000)
    .lean<Signal[]>();
  // The processor's own recomputation: what its write-time increments are kept equal to.
  const { devices, buckets } = recomputeRollups(
    all.map((s) => contributionOf({ ...s, stats: { ...s.stats, sampleCount: s.dataLength } })),
  );
  await models.devices.deleteMany({});
  await models.hourBuckets.deleteMany({});
  if (devices.size > 0) await models.devices.insertMany([...devices.values()]);
  if (buckets.size > 0) await models.hourBuckets.insertMany([...buckets.values()]);
}
