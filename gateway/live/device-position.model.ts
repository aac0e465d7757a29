import { Field, ID, ObjectType } from 'type-graphql';
import { Position } from '../../schema';

/** One device's latest position, as delivered by the `devicePosition` subscription. */
@ObjectType({ description: 'Where a device is now: the last sample of its newest processed signal.' })
export class DevicePosition {
  @Field(() => ID, { description: 'Id of the device.' })
  public deviceId!: string;

  @Field(() => ID, { description: 'Id of the signal the position comes from.' })
  public signalId!: string;

  @Field(() => Position, { description: 'The last kept sample of that signal.' })
  public position!: Position;
}
