import { Types } from 'mongoose';
import { DEVICE_ID_PATTERN } from '../../schema';
import { BadUserInputError } from '../errors/gateway-errors';
import { MAX_DAYS_READ_BY_DAY, utcDaysBetween } from '../db/utc-days';
import { bboxIntersectionQuery } from '../live/bbox-filter';
import type { PageDirection } from '../pagination/page-request';
import type { SignalCursor } from '../pagination/signal-cursor';
import { SignalOrder } from './signal-order.enum';

/** Most device ids in one filter: each becomes its own indexed query. */
export const MAX_FILTER_DEVICE_IDS = 100;

/** Filter values as GraphQL delivers them (already typed by the schema, not yet checked). */
export interface SignalFilterValues {
  deviceIds?: ReadonlyArray<string> | null;
  from?: Date | null;
  to?: Date | null;
  bbox?: { minLat: number; maxLat: number; minLon: number; maxLon: number } | null;
  minDataLength?: number | null;
  maxDataLength?: number | null;
  minDataVolume?: number | null;
  maxDataVolume?: number | null;
}

interface Range {
  min?: number;
  max?: number;
}

/** A checked filter: only primitives, each one range-checked; nothing from the client reaches the DB unexamined. */
export interface ValidSignalFilter {
  /** Distinct device ids; undefined = every device; empty = none. */
  deviceIds?: string[];
  fromMs?: number;
  toMs?: number;
  bbox?: { minLat: number; maxLat: number; minLon: number; maxLon: number };
  dataLength: Range;
  dataVolume: Range;
}

function bad(field: string, message: string): never {
  throw new BadUserInputError(`filter.${field}: ${message}`, { argument: 'filter', field: `filter.${field}` });
}

function finiteIn(field: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    bad(field, `must be a number in [${min}, ${max}]`);
  return value;
}

function range(field: string, min: number | null | undefined, max: number | null | undefined): Range {
  const out: Range = {};
  if (min !== null && min !== undefined) out.min = finiteIn(`min${field}`, min, 0, Number.MAX_SAFE_INTEGER);
  if (max !== null && max !== undefined) out.max = finiteIn(`max${field}`, max, 0, Number.MAX_SAFE_INTEGER);
  if (out.min !== undefined && out.max !== undefined && out.min > out.max)
    bad(`min${field}`, `must not exceed max${field}`);
  return out;
}

function instant(field: string, value: Date): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) bad(field, 'must be a valid date-time');
  return ms;
}

/** Checks every condition of a filter; BAD_USER_INPUT naming the field on the first bad one. */
export function validateSignalFilter(filter: SignalFilterValues | null | undefined): ValidSignalFilter {
  const valid: ValidSignalFilter = {
    dataLength: range('DataLength', filter?.minDataLength, filter?.maxDataLength),
    dataVolume: range('DataVolume', filter?.minDataVolume, filter?.maxDataVolume),
  };
  if (!filter) return valid;
  if (filter.deviceIds !== null && filter.deviceIds !== undefined) {
    const ids = [...new Set(filter.deviceIds)];
    if (ids.length > MAX_FILTER_DEVICE_IDS) bad('deviceIds', `at most ${MAX_FILTER_DEVICE_IDS} devices`);
    for (const id of ids)
      if (typeof id !== 'string' || !DEVICE_ID_PATTERN.test(id))
        bad('deviceIds', `"${String(id).slice(0, 80)}" is not a device id`);
    valid.deviceIds = ids;
  }
  if (filter.from) valid.fromMs = instant('from', filter.from);
  if (filter.to) valid.toMs = instant('to', filter.to);
  if (valid.fromMs !== undefined && valid.toMs !== undefined && valid.fromMs >= valid.toMs)
    bad('from', 'must be before `to`');
  if (filter.bbox) {
    const b = filter.bbox;
    const bbox = {
      minLat: finiteIn('bbox.minLat', b.minLat, -90, 90),
      maxLat: finiteIn('bbox.maxLat', b.maxLat, -90, 90),
      minLon: finiteIn('bbox.minLon', b.minLon, -180, 180),
      maxLon: finiteIn('bbox.maxLon', b.maxLon, -180, 180),
    };
    if (bbox.minLat > bbox.maxLat) bad('bbox.minLat', 'must not exceed maxLat');
    // minLon > maxLon is allowed: a box across the antimeridian (GeoJSON convention).
    valid.bbox = bbox;
  }
  return valid;
}

/** Narrows a filter to one device (Device.signals): the intersection with any device list it had. */
export function restrictToDevice(filter: ValidSignalFilter, deviceId: string): ValidSignalFilter {
  const deviceIds = filter.deviceIds === undefined || filter.deviceIds.includes(deviceId) ? [deviceId] : [];
  return { ...filter, deviceIds };
}

/**
 * Most queries one page may be split into by day (devices × days); beyond it the page is read per
 * device only, since every query reads up to a page of signals.
 */
export const MAX_QUERIES_SPLIT_BY_DAY = 64;

/** One scan: the Mongo filters to run (one per device when devices are given) and their common sort. */
export interface SignalQueryPlan {
  filters: Array<Record<string, unknown>>;
  sort: { time: 1 | -1; _id: 1 | -1 };
  /** Items to read per filter: the page size plus one, to learn whether more exist. */
  limit: number;
  /** Whether the range is read one day at a time (`day` equality in every filter). */
  splitByDay: boolean;
}

/** Whether a scan reads newest first: the order, flipped for a backward page. */
export function scansDescending(order: SignalOrder, direction: PageDirection): boolean {
  return (order === SignalOrder.TIME_DESC) === (direction === 'forward');
}

/**
 * The queries of one page. Device ids become separate queries with `deviceId` equality at the top
 * level (the only condition FerretDB v1 pushes down to PostgreSQL, and the leading key of the
 * `{deviceId, time, _id}` index on MongoDB); with `byDay` (every stored signal has its `day`), a
 * range of both `from` and `to` touching at most {@link MAX_DAYS_READ_BY_DAY} UTC days is split
 * further into one query per day with `day` equality, so "the last 24 h" reads a day or two of
 * signals however long the history. Each signal lies in exactly one (device, day) query, and each
 * query keeps the whole filter, so merging their pages is exact. Bbox intersection becomes
 * latitude ranges and an `$or` of longitude ranges ({@link bboxIntersectionQuery}), residual
 * conditions that boxes across the antimeridian need.
 */
export function planSignalQueries(
  filter: ValidSignalFilter,
  order: SignalOrder,
  page: { direction: PageDirection; cursor?: SignalCursor; size: number; byDay?: boolean },
): SignalQueryPlan {
  const descending = scansDescending(order, page.direction);
  const direction = descending ? -1 : 1;
  const base: Record<string, unknown> = {};
  const time: Record<string, Date> = {};
  if (filter.fromMs !== undefined) time.$gte = new Date(filter.fromMs);
  if (filter.toMs !== undefined) time.$lt = new Date(filter.toMs);
  if (Object.keys(time).length > 0) base.time = time;
  for (const [field, r] of [
    ['dataLength', filter.dataLength],
    ['dataVolume', filter.dataVolume],
  ] as const) {
    const cond: Record<string, number> = {};
    if (r.min !== undefined) cond.$gte = r.min;
    if (r.max !== undefined) cond.$lte = r.max;
    if (Object.keys(cond).length > 0) base[field] = cond;
  }
  const alternatives: Array<Array<Record<string, unknown>>> = [];
  if (filter.bbox) {
    const { ranges, anyOf } = bboxIntersectionQuery(filter.bbox);
    Object.assign(base, ranges);
    if (anyOf) alternatives.push(anyOf);
  }
  if (page.cursor) {
    const op = descending ? '$lt' : '$gt';
    const at = new Date(page.cursor.timeMs);
    alternatives.push([{ time: { [op]: at } }, { time: at, _id: { [op]: new Types.ObjectId(page.cursor.id) } }]);
  }
  // One `$or` stays at the top level as before; two (bbox and cursor) must both hold.
  const [onlyAlternatives] = alternatives;
  if (alternatives.length === 1 && onlyAlternatives) base.$or = onlyAlternatives;
  else if (alternatives.length > 1) base.$and = alternatives.map(($or) => ({ $or }));
  const devices: Array<string | undefined> = filter.deviceIds ?? [undefined];
  const days =
    page.byDay && filter.fromMs !== undefined && filter.toMs !== undefined
      ? utcDaysBetween(filter.fromMs, filter.toMs, MAX_DAYS_READ_BY_DAY)
      : [];
  const splitByDay =
    days.length > 0 && days.length <= MAX_DAYS_READ_BY_DAY && devices.length * days.length <= MAX_QUERIES_SPLIT_BY_DAY;
  const filters = devices.flatMap((deviceId) =>
    (splitByDay ? days : [undefined]).map((day) => ({
      ...(deviceId === undefined ? {} : { deviceId }),
      ...(day === undefined ? {} : { day }),
      ...base,
    })),
  );
  return { filters, sort: { time: direction, _id: direction }, limit: page.size + 1, splitByDay };
}

/** Orders signal positions as a scan does, so per-device results merge into one page. */
export function compareSignalPositions(a: SignalCursor, b: SignalCursor, descending: boolean): number {
  const byTime = a.timeMs - b.timeMs;
  const ascending = byTime !== 0 ? byTime : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return descending ? -ascending : ascending;
}
