import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { Device, DEVICE_ID_PATTERN } from '../../schema';
import type { GatewayContext } from '../context';
import { BadUserInputError } from '../errors/gateway-errors';
import type { GatewayServices } from '../gateway-services';
import { pageComplexity } from '../pagination/page-complexity';
import { toPageRequest } from '../pagination/page-request';
import { SignalConnection } from '../signals/signal-connection.type';
import { readSignalPageOf } from '../signals/signal-page.reader';
import { restrictToDevice, validateSignalFilter } from '../signals/signal-query';
import { SignalsArgs } from '../signals/signals.args';
import { DeviceConnection } from './device-connection.type';
import { readDevicePage } from './device-page.reader';
import { DevicesArgs } from './devices.args';

/** Checks a device id argument (the pattern devices are accepted with). */
export function checkDeviceId(deviceId: string, argument = 'deviceId'): string {
  if (!DEVICE_ID_PATTERN.test(deviceId))
    throw new BadUserInputError(`\`${argument}\` is not a device id (^[A-Za-z0-9_-]{1,64}$)`, { argument });
  return deviceId;
}

@Resolver(() => Device)
export class DeviceResolver {
  constructor(private readonly services: GatewayServices) {}

  @Query(() => DeviceConnection, { description: 'Devices, a page at a time, in id order.', complexity: pageComplexity })
  async devices(@Args(() => DevicesArgs) args: DevicesArgs): Promise<DeviceConnection> {
    const page = toPageRequest(args, 20, this.services.config.maxPageSize);
    const onlineSince = args.onlineOnly ? new Date(Date.now() - this.services.config.onlineWindowMs) : undefined;
    return readDevicePage(this.services.models, page, onlineSince);
  }

  @Query(() => Device, { nullable: true, description: 'One device by id; null when it never sent a stored message.' })
  async device(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Device | null> {
    return ctx.loaders.deviceById.load(checkDeviceId(id, 'id'));
  }

  @FieldResolver(() => Boolean, {
    description: 'Whether its last message arrived within the online window (default 600 s).',
  })
  online(@Root() device: Device): boolean {
    return device.lastSeen.getTime() >= Date.now() - this.services.config.onlineWindowMs;
  }

  @FieldResolver(() => SignalConnection, {
    description: 'Its signals matching `filter`, a page at a time.',
    complexity: pageComplexity,
  })
  async signals(@Root() device: Device, @Args(() => SignalsArgs) args: SignalsArgs): Promise<SignalConnection> {
    return readSignalPageOf(this.services, restrictToDevice(validateSignalFilter(args.filter), device._id), args);
  }
}
