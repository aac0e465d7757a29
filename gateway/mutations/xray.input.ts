import { Field, Float, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'One GPS sample of an x-ray message.' })
export class SampleInput {
  @Field(() => Int, {
    description: 'Milliseconds within the current minute, 0..59999 (wraps back at each new minute).',
  })
  public offsetMs!: number;

  @Field(() => Float, { description: 'Latitude, degrees, -90..90.' })
  public lat!: number;

  @Field(() => Float, { description: 'Longitude, degrees, -180..180.' })
  public lon!: number;

  @Field(() => Float, { description: 'Speed as the device reports it, 0..10000.' })
  public speed!: number;
}

@InputType({ description: 'An x-ray message as a device would send it, processed exactly like one from ingest.' })
export class XRayInput {
  @Field(() => ID, { description: 'Device id (^[A-Za-z0-9_-]{1,64}$).' })
  public deviceId!: string;

  @Field(() => Date, {
    description:
      'Time of the message (start of the first minute of samples); no sample may lie more than 10 min ahead.',
  })
  public time!: Date;

  @Field(() => [SampleInput], { description: '1..10000 samples in recording order.' })
  public data!: SampleInput[];
}
