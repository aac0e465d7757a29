import { modelOptions, prop } from '@typegoose/typegoose';
import { Field, Float, Int, ObjectType } from 'type-graphql';

/** Figures derived from a signal's samples at write time. */
@ObjectType({ description: 'Figures derived from the samples of one signal when it was stored.' })
@modelOptions({ schemaOptions: { _id: false } })
export class SignalStats {
  @Field(() => Float, { description: 'Haversine distance over consecutive kept samples, metres.' })
  @prop({ required: true, type: () => Number })
  public distanceMeters!: number;

  @Field(() => Float, { description: "Highest sample speed, in the device's own speed units." })
  @prop({ required: true, type: () => Number })
  public maxSpeed!: number;

  @Field(() => Float, { description: "Mean of the sample speeds, in the device's own speed units." })
  @prop({ required: true, type: () => Number })
  public avgSpeed!: number;

  @Field(() => Int, { description: 'Time from the first to the last kept sample, milliseconds.' })
  @prop({ required: true, type: () => Number })
  public durationMs!: number;

  @Field(() => Int, { description: 'Samples dropped as GPS jumps (implied speed over the limit).' })
  @prop({ required: true, type: () => Number })
  public droppedSamples!: number;

  /** Sum of the sample speeds, kept so rollups can average over many signals. Not exposed. */
  @prop({ required: true, type: () => Number })
  public speedSum!: number;

  /** Number of samples `speedSum` covers, kept for rollup averages. Not exposed. */
  @prop({ type: () => Number })
  public sampleCount?: number;
}
