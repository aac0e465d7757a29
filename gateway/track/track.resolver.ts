import { Arg, ID, Int, Query, Resolver } from 'type-graphql';
import { Position } from '../../schema';
import { checkDeviceId } from '../devices/device.resolver';
import { BadUserInputError } from '../errors/gateway-errors';
import type { GatewayServices } from '../gateway-services';
import { pointsComplexity } from '../pagination/page-complexity';
import { checkMaxPoints, toPosition } from '../signals/signal-points';
import { downsampleTrack } from './downsample-track';
import { readTrackPoints } from './track-points.reader';

@Resolver()
export class TrackResolver {
  constructor(private readonly services: GatewayServices) {}

  @Query(() => [Position], {
    description:
      'Where a device went in [from, to] (both included; `from` may equal `to`): its samples in time order (a reading a device re-sent appears once), downsampled shape-preservingly (Ramer–Douglas–Peucker) to at most `maxPoints`. An empty list for a device with no samples there, known or not. BAD_USER_INPUT when the range holds more than 1,000,000 samples: narrow it. Costs one per hundred `maxPoints` toward the operation cost limit.',
    complexity: pointsComplexity,
  })
  async track(
    @Arg('deviceId', () => ID) deviceId: string,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('maxPoints', () => Int, {
      nullable: true,
      defaultValue: 1000,
      description: 'At most this many points (2..10000).',
    })
    maxPoints: number | null,
  ): Promise<Position[]> {
    checkDeviceId(deviceId);
    const limit = checkMaxPoints(maxPoints ?? 1000);
    const fromMs = from.getTime();
    const toMs = to.getTime();
    if (!(fromMs <= toMs)) throw new BadUserInputError('`from` must not be after `to`', { argument: 'from' });
    const points = await readTrackPoints(this.services, deviceId, fromMs, toMs);
    return downsampleTrack(points, limit).map(toPosition);
  }
}
