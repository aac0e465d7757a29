import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { FLEET_DEVICE_ID, hourStartOf, type Device } from '../../schema';
import type { GatewayContext } from '../context';
import { checkDeviceId } from '../devices/device.resolver';
import { BadUserInputError, NotFoundError } from '../errors/gateway-errors';
import type { GatewayServices } from '../gateway-services';
import { DeviceStats } from './device-stats.type';
import { readHourBuckets } from './hour-bucket.reader';
import { bucketStartOf, MAX_TREND_POINTS, sumHourFigures, trendLength, trendSeries } from './rollup-aggregation';
import { TrendBucket } from './trend-bucket.enum';
import { TrendPoint } from './trend-point.type';
import { trendsComplexity } from './trends-complexity';

function validInstant(value: Date | null | undefined, argument: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  const ms = value.getTime();
  if (!Number.isFinite(ms)) throw new BadUserInputError(`\`${argument}\` is not a valid date-time`, { argument });
  return ms;
}

@Resolver()
export class StatsResolver {
  constructor(private readonly services: GatewayServices) {}

  @Query(() => DeviceStats, {
    description:
      'Figures of one device from its hourly rollups. Without `from`/`to`: its lifetime figures. With them: whole UTC hours, from the one containing `from` to the one containing the last instant before `to` (`from` must be before `to`). NOT_FOUND for a device with no stored signals (it never sent one, or all were deleted or expired); being non-null, that error nulls the whole answer, so ask for it apart from fields that should survive it.',
  })
  async deviceStats(
    @Arg('deviceId', () => ID) deviceId: string,
    @Ctx() ctx: GatewayContext,
    @Arg('from', () => Date, { nullable: true }) from?: Date | null,
    @Arg('to', () => Date, { nullable: true }) to?: Date | null,
  ): Promise<DeviceStats> {
    checkDeviceId(deviceId);
    const fromMs = validInstant(from, 'from');
    const toMs = validInstant(to, 'to');
    if (fromMs !== undefined && toMs !== undefined && fromMs >= toMs)
      throw new BadUserInputError('`from` must be before `to`', { argument: 'from' });
    if (fromMs === undefined && toMs === undefined) {
      const device = await this.deviceOrNotFound(deviceId, ctx);
      return {
        signalCount: device.signalCount,
        dataVolume: device.dataVolume,
        distanceMeters: device.totalDistanceMeters,
        maxSpeed: device.maxSpeed,
        avgSpeed: device.sampleCount > 0 ? device.speedSum / device.sampleCount : 0,
        firstSeen: device.firstSeen,
        lastSeen: device.lastSeen,
      };
    }
    const hours = await readHourBuckets(
      this.services.models,
      deviceId,
      fromMs === undefined ? undefined : hourStartOf(fromMs).getTime(),
      toMs,
      this.services.dayFields,
    );
    // A bucket exists only for a stored signal of the device: the device needs reading (to tell an
    // unknown device from a quiet range) only when the range is empty.
    if (hours.length === 0) await this.deviceOrNotFound(deviceId, ctx);
    return sumHourFigures(hours);
  }

  private async deviceOrNotFound(deviceId: string, ctx: GatewayContext): Promise<Device> {
    const device = await ctx.loaders.deviceById.load(deviceId);
    if (!device) throw new NotFoundError(`device "${deviceId}" has no stored signals`, { deviceId });
    return device;
  }

  @Query(() => [TrendPoint], {
    description:
      'A dense series (empty buckets as zeros) of whole UTC buckets (hours or days), from the one containing `from` to the one containing the last instant before `to` (`from` must be before `to`; at most 10,000 buckets), of one device or of the whole fleet, from the rollups. Fleet speeds mix what each device reports. NOT_FOUND for a device with no stored signals (it never sent one, or all were deleted or expired). Costs one per hundred buckets toward the operation cost limit.',
    complexity: trendsComplexity,
  })
  async trends(
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Ctx() ctx: GatewayContext,
    @Arg('bucket', () => TrendBucket, { nullable: true, defaultValue: TrendBucket.HOUR }) bucket: TrendBucket | null,
    @Arg('deviceId', () => ID, { nullable: true, description: 'One device; the whole fleet when omitted.' })
    deviceId?: string | null,
  ): Promise<TrendPoint[]> {
    const fromMs = validInstant(from, 'from') as number;
    const toMs = validInstant(to, 'to') as number;
    if (fromMs >= toMs) throw new BadUserInputError('`from` must be before `to`', { argument: 'from' });
    const width = bucket ?? TrendBucket.HOUR;
    const length = trendLength(fromMs, toMs, width);
    if (length > MAX_TREND_POINTS)
      throw new BadUserInputError(`the range holds ${length} buckets; at most ${MAX_TREND_POINTS} are allowed`, {
        argument: 'to',
      });
    const subject = deviceId === null || deviceId === undefined ? FLEET_DEVICE_ID : checkDeviceId(deviceId);
    const hours = await readHourBuckets(
      this.services.models,
      subject,
      bucketStartOf(fromMs, width),
      toMs,
      this.services.dayFields,
    );
    // As deviceStats: a device never heard of is NOT_FOUND, not a flat line of zeros.
    if (hours.length === 0 && subject !== FLEET_DEVICE_ID) await this.deviceOrNotFound(subject, ctx);
    return trendSeries(hours, fromMs, toMs, width);
  }
}
