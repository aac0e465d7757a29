import type { mongo } from 'mongoose';
import { DAY_FIELD_MIGRATIONS, MIGRATIONS_COLLECTION, utcDayOf, type MigrationRecord } from '../schema';
import { boundedBulkWrite, MAX_STATEMENTS_PER_BULK } from './bounded-bulk-write';

/** Documents per cursor batch: only `_id` and the time field are read. */
const CURSOR_BATCH_SIZE = 1_000;

/** What the backfill of one collection needs to know. */
interface DayFieldTarget {
  collection: string;
  /** The date field the day is taken from. */
  timeField: string;
  migrationId: string;
}

/** Signals (day of `time`) and hour buckets (day of `hourStart`). */
export const DAY_FIELD_TARGETS: ReadonlyArray<DayFieldTarget> = [
  { collection: 'hour_buckets', timeField: 'hourStart', migrationId: DAY_FIELD_MIGRATIONS.hourBuckets },
  { collection: 'signals', timeField: 'time', migrationId: DAY_FIELD_MIGRATIONS.signals },
];

/**
 * Gives documents stored before `day` existed their `day`, once per database and collection, then
 * records the migration as done (readers narrow by `day` only after that). One pass of one cursor
 * (FerretDB evaluates `$exists` after reading every document, so repeated queries would read the
 * collection again each time); updates by `_id` in small bulks. Idempotent: replicas starting
 * together set the same values. Returns how many documents it updated.
 */
export async function backfillDayFields(db: mongo.Db, targets = DAY_FIELD_TARGETS): Promise<number> {
  let updated = 0;
  for (const target of targets) {
    if (await migrationRecorded(db, target.migrationId)) continue;
    const collection = db.collection<{ _id: unknown; day?: string } & Record<string, unknown>>(target.collection);
    const cursor = collection.find(
      { day: { $exists: false } },
      { projection: { _id: 1, [target.timeField]: 1 }, batchSize: CURSOR_BATCH_SIZE },
    );
    try {
      let pending: mongo.AnyBulkWriteOperation<{ _id: unknown }>[] = [];
      const flush = async (): Promise<void> => {
        await boundedBulkWrite(collection, pending);
        updated += pending.length;
        pending = [];
      };
      for await (const document of cursor) {
        const time = document[target.timeField];
        if (!(time instanceof Date)) continue;
        pending.push({ updateOne: { filter: { _id: document._id }, update: { $set: { day: utcDayOf(time) } } } });
        if (pending.length >= MAX_STATEMENTS_PER_BULK) await flush();
      }
      await flush();
    } finally {
      await cursor.close();
    }
    await recordMigration(db, target.migrationId);
  }
  return updated;
}

/**
 * Records every `day` backfill as run, for a database whose documents are all known to carry their
 * day (written by this version: seeds, tests).
 */
export async function recordDayFieldsDone(db: mongo.Db): Promise<void> {
  for (const target of DAY_FIELD_TARGETS) await recordMigration(db, target.migrationId);
}

/** Whether migration `migrationId` has been recorded as run in this database. */
export async function migrationRecorded(db: mongo.Db, migrationId: string): Promise<boolean> {
  return (await db.collection<MigrationRecord>(MIGRATIONS_COLLECTION).findOne({ _id: migrationId })) !== null;
}

/** Records migration `migrationId` as run (idempotent: the first run's time stays). */
export async function recordMigration(db: mongo.Db, migrationId: string): Promise<void> {
  await db
    .collection<MigrationRecord>(MIGRATIONS_COLLECTION)
    .updateOne({ _id: migrationId }, { $setOnInsert: { ranAt: new Date() } }, { upsert: true });
}
