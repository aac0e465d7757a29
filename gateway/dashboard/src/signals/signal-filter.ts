import type { BBoxInput, SignalFilter } from '../gql/graphql';

/** What the filter form holds; empty strings mean "not set". */
export interface SignalFilterForm {
  /** Device ids separated by commas or spaces. */
  deviceIds: string;
  /** ISO times. */
  from?: string;
  to?: string;
  bbox?: BBoxInput;
  minDataLength: string;
  maxDataLength: string;
  minDataVolume: string;
  maxDataVolume: string;
}

export const EMPTY_FILTER_FORM: SignalFilterForm = {
  deviceIds: '',
  minDataLength: '',
  maxDataLength: '',
  minDataVolume: '',
  maxDataVolume: '',
};

export function deviceIdsOf(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((id) => id.length > 0))];
}

function integerOf(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** The `SignalFilter` input of a form, leaving out what is not set. */
export function signalFilterOf(form: SignalFilterForm): SignalFilter {
  const filter: SignalFilter = {};
  const deviceIds = deviceIdsOf(form.deviceIds);
  if (deviceIds.length > 0) filter.deviceIds = deviceIds;
  if (form.from) filter.from = form.from;
  if (form.to) filter.to = form.to;
  if (form.bbox) filter.bbox = form.bbox;
  const minDataLength = integerOf(form.minDataLength);
  const maxDataLength = integerOf(form.maxDataLength);
  const minDataVolume = integerOf(form.minDataVolume);
  const maxDataVolume = integerOf(form.maxDataVolume);
  if (minDataLength !== undefined) filter.minDataLength = minDataLength;
  if (maxDataLength !== undefined) filter.maxDataLength = maxDataLength;
  if (minDataVolume !== undefined) filter.minDataVolume = minDataVolume;
  if (maxDataVolume !== undefined) filter.maxDataVolume = maxDataVolume;
  return filter;
}

/** The fields of a signal a filter looks at. */
export interface FilterableSignal {
  id: string;
  deviceId: string;
  time: string;
  dataLength: number;
  dataVolume: number;
  bbox: BBoxInput;
}

/** A box's longitudes as plain intervals: two when it crosses the antimeridian (minLon > maxLon). */
function longitudeIntervals(box: BBoxInput): Array<[number, number]> {
  return box.minLon <= box.maxLon
    ? [[box.minLon, box.maxLon]]
    : [
        [box.minLon, 180],
        [-180, box.maxLon],
      ];
}

/** As the gateway's `bboxIntersects`: either box may cross the antimeridian, and 180 meets -180. */
function boxesIntersect(a: BBoxInput, b: BBoxInput): boolean {
  if (a.minLat > b.maxLat || a.maxLat < b.minLat) return false;
  const touches = (box: BBoxInput, lon: number): boolean =>
    longitudeIntervals(box).some(([low, high]) => low <= lon && lon <= high);
  if ((touches(a, 180) || touches(a, -180)) && (touches(b, 180) || touches(b, -180))) return true;
  return longitudeIntervals(a).some(([aLow, aHigh]) =>
    longitudeIntervals(b).some(([bLow, bHigh]) => aLow <= bHigh && aHigh >= bLow),
  );
}

/** Whether a live signal belongs in a list filtered by `filter`, as the API decides it (`from` inclusive, `to` exclusive, bbox intersecting). */
export function signalMatchesFilter(signal: FilterableSignal, filter: SignalFilter): boolean {
  if (filter.deviceIds && filter.deviceIds.length > 0 && !filter.deviceIds.includes(signal.deviceId)) return false;
  const time = Date.parse(signal.time);
  if (filter.from && time < Date.parse(filter.from)) return false;
  if (filter.to && time >= Date.parse(filter.to)) return false;
  if (filter.bbox && !boxesIntersect(signal.bbox, filter.bbox)) return false;
  if (filter.minDataLength != null && signal.dataLength < filter.minDataLength) return false;
  if (filter.maxDataLength != null && signal.dataLength > filter.maxDataLength) return false;
  if (filter.minDataVolume != null && signal.dataVolume < filter.minDataVolume) return false;
  if (filter.maxDataVolume != null && signal.dataVolume > filter.maxDataVolume) return false;
  return true;
}

/** Newest first, as the API orders `TIME_DESC`: by time, then by id. */
export function compareNewestFirst(a: { time: string; id: string }, b: { time: string; id: string }): number {
  const byTime = Date.parse(b.time) - Date.parse(a.time);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * First page with a live signal merged in, or null when nothing changes: it is older than the
 * page's last row while later pages exist (paging will reach it there, and the page's end cursor
 * stays valid because rows are only ever added above it). A signal already shown is an update: its
 * old row goes, and the new one takes its place by time (on a later page if it moved there).
 */
export function mergeIntoFirstPage<Row extends { id: string; time: string }>(
  rows: readonly Row[],
  signal: Row,
  hasNextPage: boolean,
): Row[] | null {
  const others = rows.filter((row) => row.id !== signal.id);
  const replaced = others.length !== rows.length;
  const last = others[others.length - 1];
  if (hasNextPage && last && compareNewestFirst(signal, last) > 0) return replaced ? others : null;
  return [...others, signal].sort(compareNewestFirst);
}

/** First page without `signalId` (an update moved it out of the filter), or null when it was not shown. */
export function removeFromFirstPage<Row extends { id: string }>(rows: readonly Row[], signalId: string): Row[] | null {
  const others = rows.filter((row) => row.id !== signalId);
  return others.length === rows.length ? null : others;
}
