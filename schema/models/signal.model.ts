import { getModelForClass, index, modelOptions, prop, Severity } from '@typegoose/typegoose';
import { Types } from 'mongoose';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { BBox } from './bbox.model';
import { Position } from './position.model';
import { SignalStats } from './signal-stats.model';

/** Whether a stored signal's contribution to the rollups is known to be applied. */
export type RollupState = 'pending' | 'applied';

/**
 * One processed x-ray message. Written only by the processor; read by the gateway.
 *
 * Every index's leading field is `deviceId` where the query has one, since FerretDB v1 pushes
 * only top-level equality down to PostgreSQL (see docs/indexes.md); for the same reason `day`
 * repeats the UTC day of `time`, so time-bounded lists read a few days by equality.
 */
@ObjectType({ description: 'One x-ray message from a device, as processed and stored.' })
@modelOptions({ schemaOptions: { collection: 'signals', versionKey: false }, options: { allowMixed: Severity.ERROR } })
@index({ idempotencyKey: 1 }, { unique: true })
@index({ deviceId: 1, time: -1, _id: -1 })
@index({ time: -1, _id: -1 })
@index({ deviceId: 1, _id: 1 })
@index({ day: 1, time: -1, _id: -1 })
@index({ ingestedAt: 1 })
@index({ rollupState: 1 })
export class Signal {
  @Field(() => ID, { name: 'id', description: 'Stable id of the signal.' })
  @prop({ auto: true, type: () => Types.ObjectId })
  public _id!: Types.ObjectId;

  @Field(() => ID, { description: 'Id of the device that sent the message.' })
  @prop({ required: true, type: () => String })
  public deviceId!: string;

  @Field(() => Date, { description: 'Time of the message as the device stated it.' })
  @prop({ required: true, type: () => Date })
  public time!: Date;

  /** UTC day of `time`, `YYYY-MM-DD` (see `utcDayOf`). */
  @prop({ required: true, type: () => String })
  public day!: string;

  @Field(() => Int, { description: 'Number of samples in the message.' })
  @prop({ required: true, type: () => Number })
  public dataLength!: number;

  @Field(() => Int, { description: 'Size of the message as received, bytes.' })
  @prop({ required: true, type: () => Number })
  public dataVolume!: number;

  @Field(() => SignalStats, { description: 'Figures derived from the samples.' })
  @prop({ required: true, type: () => SignalStats })
  public stats!: SignalStats;

  @Field(() => BBox, {
    description:
      'Bounding box of the kept samples, the shorter way round: `minLon > maxLon` means it crosses the antimeridian.',
  })
  @prop({ required: true, type: () => BBox })
  public bbox!: BBox;

  @Field(() => Position, { description: 'First kept sample.' })
  @prop({ required: true, type: () => Position })
  public start!: Position;

  @Field(() => Position, { description: 'Last kept sample.' })
  @prop({ required: true, type: () => Position })
  public end!: Position;

  @Field(() => Date, { description: 'When ingest accepted the message; retention counts from here.' })
  @prop({ required: true, type: () => Date })
  public ingestedAt!: Date;

  /** `_id` of the signal's packed track in `signal_tracks` (see SignalTrack). Exposed through `points`. */
  @prop({ type: () => Types.ObjectId })
  public trackId?: Types.ObjectId;

  /** The packed track of signals stored before tracks moved to `signal_tracks` (read, never written). */
  @prop({ type: () => Buffer })
  public track?: Buffer;

  /** Hex SHA-256 of the message bytes as received. */
  @prop({ required: true, type: () => String })
  public rawSha256!: string;

  /** GridFS id (bucket `raw_payloads`) of the gzipped message bytes. */
  @prop({ required: true, type: () => Types.ObjectId })
  public rawPayloadId!: Types.ObjectId;

  /** deviceId + time + sha256 of the canonical data: unique, the authority for exactly-once storage. */
  @prop({ required: true, type: () => String })
  public idempotencyKey!: string;

  /** `pending` until the signal's rollup contribution is applied; see processor/signal.writer.ts. */
  @prop({ required: true, type: () => String, enum: ['pending', 'applied'] })
  public rollupState!: RollupState;

  /** Correlation id of the request that carried the message. */
  @prop({ type: () => String })
  public correlationId?: string;
}

/** GridFS bucket holding gzipped raw payloads. */
export const RAW_PAYLOAD_BUCKET = 'raw_payloads';

/** The typegoose model of {@link Signal} on mongoose's default connection. */
export const SignalModel = getModelForClass(Signal);
