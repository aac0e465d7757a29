import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Position } from './position.model';

/**
 * Per-device rollup, maintained by the processor at write time so device queries never scan signals.
 * Invariant: equal to a recomputation from the device's stored signals.
 */
@ObjectType({ description: 'A device and its lifetime figures, kept current as its signals are stored.' })
@modelOptions({ schemaOptions: { collection: 'devices', versionKey: false } })
@index({ lastSeen: -1, _id: -1 })
export class Device {
  @Field(() => ID, { name: 'id', description: 'Device id, as the device sends it.' })
  @prop({ required: true, type: () => String })
  public _id!: string;

  @Field(() => Date, { description: 'When its first stored message was received.' })
  @prop({ required: true, type: () => Date })
  public firstSeen!: Date;

  @Field(() => Date, { description: 'When its latest stored message was received.' })
  @prop({ required: true, type: () => Date })
  public lastSeen!: Date;

  @Field(() => Position, { nullable: true, description: 'The sample with the latest time.' })
  @prop({ type: () => Position })
  public lastPosition?: Position;

  @Field(() => Int, { description: 'Number of stored signals.' })
  @prop({ required: true, type: () => Number, default: 0 })
  public signalCount!: number;

  @Field(() => Float, { description: "Sum of the stored signals' distances, metres." })
  @prop({ required: true, type: () => Number, default: 0 })
  public totalDistanceMeters!: number;

  @Field(() => Float, { description: "Highest sample speed ever stored, in the device's own speed units." })
  @prop({ required: true, type: () => Number, default: 0 })
  public maxSpeed!: number;

  /** Sum of sample speeds over all stored signals (for averages). */
  @prop({ required: true, type: () => Number, default: 0 })
  public speedSum!: number;

  /** Number of samples over all stored signals (for averages). */
  @prop({ required: true, type: () => Number, default: 0 })
  public sampleCount!: number;

  /** Sum of stored signals' dataVolume, bytes. */
  @prop({ required: true, type: () => Number, default: 0 })
  public dataVolume!: number;

  /**
   * Longest time from a stored signal's message time to its last kept sample, ms: a signal that
   * reaches into a range starts at most this long before it, which lets `track` read by day.
   * Kept by `$max` as signals are stored and recomputed with the other rollups (a deleted signal
   * may leave it longer than needed, which costs reads, never results); absent on devices stored
   * before it until the processor's migration (schema/signal-span.migration.ts).
   */
  @prop({ type: () => Number })
  public longestSignalSpanMs?: number;
}

/** The typegoose model of {@link Device}. */
export const DeviceModel = getModelForClass(Device);
