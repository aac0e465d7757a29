import { Field, ID, InputType, Int } from 'type-graphql';
import { BBoxInput } from './bbox.input';

@InputType({ description: 'Conditions a signal must meet; all given conditions apply together.' })
export class SignalFilter {
  @Field(() => [ID], {
    nullable: true,
    description: 'Only these devices (at most 100). An empty list matches nothing.',
  })
  public deviceIds?: string[] | null;

  @Field(() => Date, { nullable: true, description: 'Only signals whose message `time` is at or after this instant.' })
  public from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only signals whose message `time` is before this instant.' })
  public to?: Date | null;

  @Field(() => BBoxInput, { nullable: true, description: 'Only signals whose bounding box intersects this box.' })
  public bbox?: BBoxInput | null;

  @Field(() => Int, { nullable: true, description: 'Only signals with at least this many samples.' })
  public minDataLength?: number | null;

  @Field(() => Int, { nullable: true, description: 'Only signals with at most this many samples.' })
  public maxDataLength?: number | null;

  @Field(() => Int, { nullable: true, description: 'Only signals of at least this many bytes.' })
  public minDataVolume?: number | null;

  @Field(() => Int, { nullable: true, description: 'Only signals of at most this many bytes.' })
  public maxDataVolume?: number | null;
}
