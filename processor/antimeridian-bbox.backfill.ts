import type { mongo } from 'mongoose';
import { decodeTrack, packedTrackBytes, SIGNAL_TRACKS_COLLECTION } from '../schema';
import { migrationRecorded, recordMigration } from './day-field.backfill';
import { trackBBox, type TrackBBox } from './track-bbox';

/** Migration id of the bounding boxes taken the short way round the antimeridian. */
export const ANTIMERIDIAN_BBOX_MIGRATION = 'signals-bbox-antimeridian';

/** Documents per cursor batch: only `_id`, `bbox` and where the track is are read. */
const CURSOR_BATCH_SIZE = 1_000;

interface StoredSignal {
  _id: mongo.ObjectId;
  bbox?: TrackBBox;
  track?: unknown;
  trackId?: mongo.ObjectId;
}

/**
 * Signals stored before bounding boxes took the shorter way round kept a plain min..max of
 * longitude: a track across the antimeridian got a box around the whole world, which every bbox
 * filter matched. Once per database, every signal whose box spans more than half the globe is given
 * the box its kept samples (its stored track) make now; the others cannot change. One pass of one
 * cursor (FerretDB reads every document for a range anyway), an update by `_id` per corrected
 * signal. Idempotent. Returns how many signals it corrected.
 */
export async function backfillAntimeridianBoxes(db: mongo.Db): Promise<number> {
  if (await migrationRecorded(db, ANTIMERIDIAN_BBOX_MIGRATION)) return 0;
  const signals = db.collection<StoredSignal>('signals');
  const tracks = db.collection<{ _id: mongo.ObjectId; track?: unknown }>(SIGNAL_TRACKS_COLLECTION);
  const cursor = signals.find(
    { 'bbox.minLon': { $lt: 0 }, 'bbox.maxLon': { $gt: 0 } },
    { projection: { _id: 1, bbox: 1, track: 1, trackId: 1 }, batchSize: CURSOR_BATCH_SIZE },
  );
  let corrected = 0;
  try {
    for await (const signal of cursor) {
      const stored = signal.bbox;
      if (!stored || stored.crossesAntimeridian || stored.maxLon - stored.minLon <= 180) continue;
      const packed =
        packedTrackBytes(signal.track) ??
        (signal.trackId ? packedTrackBytes((await tracks.findOne({ _id: signal.trackId }))?.track) : null);
      const points = packed ? decodeTrack(packed) : [];
      if (points.length === 0) continue;
      const bbox = trackBBox(points);
      if (!bbox.crossesAntimeridian) continue;
      await signals.updateOne({ _id: signal._id }, { $set: { bbox } });
      corrected += 1;
    }
  } finally {
    await cursor.close();
  }
  await recordAntimeridianBoxesDone(db);
  return corrected;
}

/** Records the backfill as run, for a database whose signals were all written by this version (seeds, tests). */
export async function recordAntimeridianBoxesDone(db: mongo.Db): Promise<void> {
  await recordMigration(db, ANTIMERIDIAN_BBOX_MIGRATION);
}
