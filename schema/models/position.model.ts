import { modelOptions, prop } from '@typegoose/typegoose';
import { Field, Float, ObjectType } from 'type-graphql';

/** One GPS sample at an absolute time. Stored as a subdocument (no `_id`). */
@ObjectType({ description: 'A GPS sample: where a device was, when, and how fast it moved.' })
@modelOptions({ schemaOptions: { _id: false } })
export class Position {
  @Field(() => Date, { description: 'Absolute time of the sample.' })
  @prop({ required: true, type: () => Date })
  public time!: Date;

  @Field(() => Float, { description: 'Latitude in degrees, -90..90.' })
  @prop({ required: true, type: () => Number })
  public lat!: number;

  @Field(() => Float, { description: 'Longitude in degrees, -180..180.' })
  @prop({ required: true, type: () => Number })
  public lon!: number;

  @Field(() => Float, { description: 'Speed as reported by the device (device units, >= 0).' })
  @prop({ required: true, type: () => Number })
  public speed!: number;
}
