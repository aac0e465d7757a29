import { DAY_FIELD_MIGRATIONS, type HourBucket } from '../../schema';
import type { DayFieldReadiness } from '../db/day-field-readiness';
import type { GatewayModels } from '../db/gateway-models';
import { BadUserInputError } from '../errors/gateway-errors';
import type { HourFigures } from './rollup-aggregation';
import { MAX_DAYS_READ_BY_DAY, utcDaysBetween } from '../db/utc-days';

/** Buckets read per query: keyset batches keep each reply (and each cursor's life) short. */
const BATCH_SIZE = 2_000;

const HOURS_PER_DAY = 24;

/** Most hour buckets one request may read (~11 years of one device). */
export const MAX_HOUR_BUCKETS = 100_000;

/**
 * The hour buckets of `deviceId` (or the fleet, `'*'`) with `hourStart` in [from, to), oldest
 * first, aggregated by the caller in Node (FerretDB v1's `$group` is not reliable beyond one
 * accumulator). Short bounded ranges (dashboards' "last 24 h") are read by `{deviceId, day}`
 * equality, which FerretDB narrows in PostgreSQL; anything else by a `hourStart` range, which it
 * narrows by `deviceId` only, reading every bucket of the device (MongoDB uses its index for both).
 * Buckets are read by day only once every stored bucket has its `day` (`dayFields`, see
 * schema/day-field.migration.ts).
 */
export async function readHourBuckets(
  models: GatewayModels,
  deviceId: string,
  fromMs: number | undefined,
  toMs: number | undefined,
  dayFields: Pick<DayFieldReadiness, 'ready'>,
): Promise<HourFigures[]> {
  if (fromMs !== undefined && toMs !== undefined) {
    const days = utcDaysBetween(fromMs, toMs, MAX_DAYS_READ_BY_DAY);
    // Only a short bounded range can be read by day: ask (a cached lookup) only then.
    if (days.length <= MAX_DAYS_READ_BY_DAY && (await dayFields.ready(DAY_FIELD_MIGRATIONS.hourBuckets))) {
      return readDays(models, deviceId, days, fromMs, toMs);
    }
  }
  return readRange(models, deviceId, fromMs, toMs);
}

async function readDays(
  models: GatewayModels,
  deviceId: string,
  days: ReadonlyArray<string>,
  fromMs: number,
  toMs: number,
): Promise<HourFigures[]> {
  // A day holds at most 24 buckets: each query is one short reply, so they can all run at once.
  const perDay = await Promise.all(
    days.map((day) =>
      models.hourBuckets
        .find({ deviceId, day }, { _id: 0, deviceId: 0, day: 0 })
        .limit(HOURS_PER_DAY)
        .lean<HourBucket[]>(),
    ),
  );
  return perDay
    .flat()
    .filter((bucket) => bucket.hourStart.getTime() >= fromMs && bucket.hourStart.getTime() < toMs)
    .sort((a, b) => a.hourStart.getTime() - b.hourStart.getTime());
}

async function readRange(
  models: GatewayModels,
  deviceId: string,
  fromMs: number | undefined,
  toMs: number | undefined,
): Promise<HourFigures[]> {
  const figures: HourFigures[] = [];
  let lowerBound: { op: '$gte' | '$gt'; at: Date } | undefined =
    fromMs === undefined ? undefined : { op: '$gte', at: new Date(fromMs) };
  for (;;) {
    const hourStart: Record<string, Date> = {};
    if (lowerBound) hourStart[lowerBound.op] = lowerBound.at;
    if (toMs !== undefined) hourStart.$lt = new Date(toMs);
    const query: Record<string, unknown> = { deviceId };
    if (Object.keys(hourStart).length > 0) query.hourStart = hourStart;
    const batch = await models.hourBuckets
      .find(query, { _id: 0, deviceId: 0 })
      .sort({ hourStart: 1 })
      .limit(BATCH_SIZE)
      .lean<HourBucket[]>();
    figures.push(...batch);
    if (figures.length > MAX_HOUR_BUCKETS)
      throw new BadUserInputError(
        `the time range spans more than ${MAX_HOUR_BUCKETS} hours of data; narrow \`from\`/\`to\``,
      );
    const last = batch[batch.length - 1];
    if (batch.length < BATCH_SIZE || !last) return figures;
    lowerBound = { op: '$gt', at: last.hourStart };
  }
}
