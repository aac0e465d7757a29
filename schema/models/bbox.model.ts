import { modelOptions, prop } from '@typegoose/typegoose';
import { Field, Float, ObjectType } from 'type-graphql';

/** Bounding box of a signal's kept samples, stored as four numbers so filters are plain ranges. */
@ObjectType({ description: 'A latitude/longitude bounding box.' })
@modelOptions({ schemaOptions: { _id: false } })
export class BBox {
  @Field(() => Float, { description: 'Southern edge, degrees.' })
  @prop({ required: true, type: () => Number })
  public minLat!: number;

  @Field(() => Float, { description: 'Northern edge, degrees.' })
  @prop({ required: true, type: () => Number })
  public maxLat!: number;

  @Field(() => Float, { description: 'Western edge, degrees.' })
  @prop({ required: true, type: () => Number })
  public minLon!: number;

  @Field(() => Float, { description: 'Eastern edge, degrees.' })
  @prop({ required: true, type: () => Number })
  public maxLon!: number;
}
