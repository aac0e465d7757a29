import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';

/**
 * Rollup of one hour of one device's signals (by signal `time`), or of the whole fleet when
 * `deviceId` is {@link FLEET_DEVICE_ID}. Serves `deviceStats` and `trends` without scanning signals.
 *
 * `_id` is `<deviceId>|<hourStart ISO>` so upserts address a bucket without a query. `day` repeats
 * the UTC day of `hourStart` as a plain value so that short ranges are read by equality on
 * `{deviceId, day}`: FerretDB narrows a query only by top-level equality, and a `hourStart` range
 * there reads every bucket the device ever had.
 */
@modelOptions({ schemaOptions: { collection: 'hour_buckets', versionKey: false } })
@index({ deviceId: 1, hourStart: 1 })
@index({ deviceId: 1, day: 1 })
export class HourBucket {
  @prop({ required: true, type: () => String })
  public _id!: string;

  /** Device id, or {@link FLEET_DEVICE_ID} for the fleet-wide bucket. */
  @prop({ required: true, type: () => String })
  public deviceId!: string;

  /** Start of the hour (UTC). */
  @prop({ required: true, type: () => Date })
  public hourStart!: Date;

  /** UTC day of `hourStart`, `YYYY-MM-DD` (see {@link utcDayOf}). */
  @prop({ required: true, type: () => String })
  public day!: string;

  @prop({ required: true, type: () => Number, default: 0 })
  public count!: number;

  @prop({ required: true, type: () => Number, default: 0 })
  public dataVolume!: number;

  @prop({ required: true, type: () => Number, default: 0 })
  public distanceMeters!: number;

  @prop({ required: true, type: () => Number, default: 0 })
  public maxSpeed!: number;

  @prop({ required: true, type: () => Number, default: 0 })
  public speedSum!: number;

  @prop({ required: true, type: () => Number, default: 0 })
  public sampleCount!: number;

  /** Earliest and latest `ingestedAt` of the bucket's signals. */
  @prop({ type: () => Date })
  public firstSeen?: Date;

  @prop({ type: () => Date })
  public lastSeen?: Date;
}

/** `deviceId` of the fleet-wide hour buckets (not a valid device id, so it never collides). */
export const FLEET_DEVICE_ID = '*';

/** Start of the UTC hour containing `time`. */
export function hourStartOf(time: Date | number): Date {
  const ms = typeof time === 'number' ? time : time.getTime();
  return new Date(ms - (((ms % 3_600_000) + 3_600_000) % 3_600_000));
}

/** The UTC day containing `time`, as `YYYY-MM-DD`: the `day` of its hour bucket. */
export function utcDayOf(time: Date | number): string {
  return new Date(typeof time === 'number' ? time : time.getTime()).toISOString().slice(0, 10);
}

/** `_id` of the bucket of `deviceId` for the hour containing `time`. */
export function hourBucketIdFor(deviceId: string, time: Date | number): string {
  return `${deviceId}|${hourStartOf(time).toISOString()}`;
}

/** The typegoose model of {@link HourBucket}. */
export const HourBucketModel = getModelForClass(HourBucket);
