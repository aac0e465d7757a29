import { Types } from 'mongoose';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { Device, Position, Signal } from '../../schema';
import type { GatewayContext } from '../context';
import { BadUserInputError } from '../errors/gateway-errors';
import type { GatewayServices } from '../gateway-services';
import { pageComplexity, pointsComplexity } from '../pagination/page-complexity';
import { SignalConnection } from './signal-connection.type';
import { readSignalPageOf } from './signal-page.reader';
import { checkMaxPoints, pointsOfTrack } from './signal-points';
import { validateSignalFilter } from './signal-query';
import { SignalsArgs } from './signals.args';

/** Id of a signal as a hex string, whether it came from the database or from a live event. */
function signalIdOf(signal: Signal): string {
  return typeof signal._id === 'string' ? signal._id : new Types.ObjectId(signal._id).toHexString();
}

@Resolver(() => Signal)
export class SignalResolver {
  constructor(private readonly services: GatewayServices) {}

  @Query(() => SignalConnection, {
    description: 'Signals matching `filter`, a page at a time, newest first by default.',
    complexity: pageComplexity,
  })
  async signals(@Args(() => SignalsArgs) args: SignalsArgs): Promise<SignalConnection> {
    return readSignalPageOf(this.services, validateSignalFilter(args.filter), args);
  }

  @Query(() => Signal, { nullable: true, description: 'One signal by id; null when there is none.' })
  async signal(@Arg('id', () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<Signal | null> {
    if (!/^[0-9a-fA-F]{24}$/.test(id)) throw new BadUserInputError('`id` is not a signal id', { argument: 'id' });
    return ctx.loaders.signalById.load(id.toLowerCase());
  }

  @FieldResolver(() => Device, { description: 'The device that sent the message.' })
  async device(@Root() signal: Signal, @Ctx() ctx: GatewayContext): Promise<Device> {
    const device = await ctx.loaders.deviceById.load(signal.deviceId);
    if (device) return device;
    // The device rollup is written right after the signal; until then, describe it from the signal.
    return {
      _id: signal.deviceId,
      firstSeen: signal.ingestedAt,
      lastSeen: signal.ingestedAt,
      lastPosition: signal.end,
      signalCount: 0,
      totalDistanceMeters: 0,
      maxSpeed: 0,
      speedSum: 0,
      sampleCount: 0,
      dataVolume: 0,
    };
  }

  @FieldResolver(() => [Position], {
    description:
      'The kept samples in time order, downsampled (shape-preserving) to `maxPoints` when given. Costs one per hundred points toward the operation cost limit, 10,000 points when `maxPoints` is omitted: give it on pages of signals.',
    complexity: pointsComplexity,
  })
  async points(
    @Root() signal: Signal,
    @Ctx() ctx: GatewayContext,
    @Arg('maxPoints', () => Int, {
      nullable: true,
      description: 'At most this many points (2..10000); all when omitted.',
    })
    maxPoints?: number | null,
  ): Promise<Position[]> {
    // Checked before the track is read, and also for a signal that has none.
    const limit = maxPoints === null || maxPoints === undefined ? undefined : checkMaxPoints(maxPoints);
    const track =
      signal.track ??
      (await ctx.loaders.trackBySignal.load({
        signalId: signalIdOf(signal),
        deviceId: signal.deviceId,
        ...(signal.trackId ? { trackId: signal.trackId } : {}),
      }));
    return track ? pointsOfTrack(track, limit) : [];
  }
}
