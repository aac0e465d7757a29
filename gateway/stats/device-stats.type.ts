import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Figures of one device over a time range, from the hourly rollups.' })
export class DeviceStats {
  @Field(() => Int, { description: 'Stored signals.' })
  public signalCount!: number;

  @Field(() => Float, { description: "Sum of the signals' sizes, bytes." })
  public dataVolume!: number;

  @Field(() => Float, { description: 'Distance travelled, metres.' })
  public distanceMeters!: number;

  @Field(() => Float, { description: "Highest sample speed, in the device's own speed units." })
  public maxSpeed!: number;

  @Field(() => Float, { description: "Mean sample speed (0 without samples), in the device's own speed units." })
  public avgSpeed!: number;

  @Field(() => Date, { nullable: true, description: 'When the earliest of these signals was received.' })
  public firstSeen!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the latest of these signals was received.' })
  public lastSeen!: Date | null;
}
