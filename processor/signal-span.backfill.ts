import type { mongo } from 'mongoose';
import { SIGNAL_SPAN_MIGRATION } from '../schema';
import { boundedBulkWrite } from './bounded-bulk-write';
import { migrationRecorded, recordMigration } from './day-field.backfill';

/** Documents per cursor batch: only the device, the message time and the last sample's time are read. */
const CURSOR_BATCH_SIZE = 1_000;

interface StoredSignalTimes {
  deviceId: string;
  time: Date;
  end?: { time?: Date };
}

/**
 * Gives devices stored before `longestSignalSpanMs` existed theirs, once per database, then records
 * the migration (readers bound a range's earliest signal by it only after that). One pass of one
 * cursor over the signals' times, then a `$max` per device in small bulks: `$max` commutes with
 * the processor's own increments, so signals stored meanwhile and replicas starting together leave
 * the same result. Returns how many devices it updated.
 */
export async function backfillLongestSignalSpans(db: mongo.Db): Promise<number> {
  if (await migrationRecorded(db, SIGNAL_SPAN_MIGRATION)) return 0;
  const longest = new Map<string, number>();
  const cursor = db
    .collection<StoredSignalTimes>('signals')
    .find({}, { projection: { _id: 0, deviceId: 1, time: 1, 'end.time': 1 }, batchSize: CURSOR_BATCH_SIZE });
  try {
    for await (const signal of cursor) {
      const end = signal.end?.time;
      if (!(signal.time instanceof Date) || !(end instanceof Date)) continue;
      const span = end.getTime() - signal.time.getTime();
      if (span > (longest.get(signal.deviceId) ?? -Infinity)) longest.set(signal.deviceId, span);
    }
  } finally {
    await cursor.close();
  }
  const devices = db.collection<{ _id: string; longestSignalSpanMs?: number }>('devices');
  await boundedBulkWrite(
    devices,
    [...longest].map(([deviceId, span]) => ({
      updateOne: { filter: { _id: deviceId }, update: { $max: { longestSignalSpanMs: span } } },
    })),
  );
  await recordLongestSignalSpansDone(db);
  return longest.size;
}

/** Records the backfill as run, for a database whose devices were all written by this version (seeds, tests). */
export async function recordLongestSignalSpansDone(db: mongo.Db): Promise<void> {
  await recordMigration(db, SIGNAL_SPAN_MIGRATION);
}
