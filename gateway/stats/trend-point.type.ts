import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Figures of one hour or day (UTC) of signals, by message time.' })
export class TrendPoint {
  @Field(() => Date, { description: 'Start of the bucket (UTC).' })
  public bucketStart!: Date;

  @Field(() => Int, { description: 'Signals in the bucket.' })
  public count!: number;

  @Field(() => Float, { description: 'Sum of their sizes, bytes.' })
  public dataVolume!: number;

  @Field(() => Float, { description: 'Distance travelled, metres.' })
  public distanceMeters!: number;

  @Field(() => Float, {
    description:
      "Highest sample speed (0 in an empty bucket), in the devices' own speed units (fleet buckets mix them).",
  })
  public maxSpeed!: number;

  @Field(() => Float, {
    description: "Mean sample speed (0 in an empty bucket), in the devices' own speed units (fleet buckets mix them).",
  })
  public avgSpeed!: number;
}
