import { mongo, type Connection, type Model } from 'mongoose';
import {
  DeviceModel,
  HourBucketModel,
  RAW_PAYLOAD_BUCKET,
  SignalModel,
  type Device,
  type HourBucket,
  type Signal,
} from '../schema';
import { RawPayloadStore } from './raw-payload.store';

/** Devices whose rollups must be recomputed before they can be trusted again (processor-internal). */
export const ROLLUP_REPAIRS_COLLECTION = 'rollup_repairs';

/** The processor's collections on its own connection (so several instances can share one process in tests). */
export interface ProcessorModels {
  connection: Connection;
  signals: Model<Signal>;
  devices: Model<Device>;
  hourBuckets: Model<HourBucket>;
  rawPayloads: RawPayloadStore;
  /** `{ _id: deviceId, since: Date }`: a write that changes a device's signals outside the increments is under way. */
  rollupRepairs: mongo.Collection<{ _id: string; since: Date }>;
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
    rollupRepairs: db.collection<{ _id: string; since: Date }>(ROLLUP_REPAIRS_COLLECTION),
  };
  // Exactly-once storage rests on the unique index: it must exist before the first insert.
  await models.signals.createIndexes();
  await models.devices.createIndexes();
  await models.hourBuckets.createIndexes();
  return models;
}
