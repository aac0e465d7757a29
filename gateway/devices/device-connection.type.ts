import { Field, ObjectType } from 'type-graphql';
import { Device } from '../../schema';
import { PageInfo } from '../pagination/page-info.type';

@ObjectType({ description: 'A device and its position in the list.' })
export class DeviceEdge {
  @Field({ description: 'Opaque cursor of this device.' })
  public cursor!: string;

  @Field(() => Device)
  public node!: Device;
}

@ObjectType({ description: 'A page of devices (Relay connection), in device id order.' })
export class DeviceConnection {
  @Field(() => [DeviceEdge])
  public edges!: DeviceEdge[];

  @Field(() => PageInfo)
  public pageInfo!: PageInfo;
}
