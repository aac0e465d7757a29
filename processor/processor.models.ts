import type { Connection, Model, mongo } from 'mongoose';
import {
  DeviceModel,
  HourBucketModel,
  RAW_PAYLOAD_BUCKET,
  ROLLUP_REPAIRS_COLLECTION,
  SIGNAL_TRACKS_COLLECTION,
  SignalModel,
  type Device,
  type HourBucket,
  type Signal,
} from '../schema';
import { backfillAntimeridianBoxes } from './antimeridian-bbox.backfill';
import { backfillDayFields } from './day-field.backfill';
import { backfillLongestSignalSpans } from './signal-span.backfill';
import { RawPayloadStore } from './raw-payload.store';
import type { SignalTrackDocument } from './signal-document';
import { SignalTrackStore } from './signal-track.store';

/**
 * Written before a batch of signals (or a rewrite) touches rollups and deleted once they are exact
 * again. One that outlives its writer (a crash, a failed batch) makes the next repair recompute
 * `deviceIds` from stored signals.
 */
export interface RollupRepairMarker {
  _id: mongo.ObjectId;
  deviceIds: string[];
  since: Date;
}

/** The processor's collections on its own connection (so several instances can share one process in tests). */
export interface ProcessorModels {
  connection: Connection;
  signals: Model<Signal>;
  devices: Model<Device>;
  hourBuckets: Model<HourBucket>;
  rawPayloads: RawPayloadStore;
  /** Markers of writes under way whose devices' rollups are not to be trusted until the marker is gone. */
  rollupRepairs: mongo.Collection<RollupRepairMarker>;
  /** Signals' packed tracks, by the signal's `trackId`. */
  signalTracks: SignalTrackStore;
}

/** Registers the shared model schemas on `connection` and creates their indexes (the unique idempotency key first of all). */
export async function bindProcessorModels(connection: Connection): Promise<ProcessorModels> {
  const db = connection.db;
  if (!db) throw new Error('the database connection is not open');
  const models: ProcessorModels = {
    connection,
    signals: connection.model<Signal>(SignalModel.modelName, SignalModel.schema),
    devices: connection.model<Device>(DeviceModel.modelName, DeviceModel.schema),
    hourBuckets: connection.model<HourBucket>(HourBucketModel.modelName, HourBucketModel.schema),
    rawPayloads: new RawPayloadStore(db, RAW_PAYLOAD_BUCKET),
    rollupRepairs: db.collection<RollupRepairMarker>(ROLLUP_REPAIRS_COLLECTION),
    signalTracks: new SignalTrackStore(db.collection<SignalTrackDocument>(SIGNAL_TRACKS_COLLECTION)),
  };
  // Exactly-once storage rests on the unique index: it must exist before the first insert.
  await models.signals.createIndexes();
  await models.devices.createIndexes();
  await models.hourBuckets.createIndexes();
  // Before anything is written: readers narrow by `day` once this has recorded itself as done.
  await backfillDayFields(db);
  await backfillAntimeridianBoxes(db);
  await backfillLongestSignalSpans(db);
  await models.rawPayloads.ensureIndexes();
  return models;
}
