import type { GraphQLHttpClient } from '../api/http-client';
import { LatestSignalTimeQuery } from '../api/operations';

/** A time range, ISO. */
export interface TimeRange {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

/**
 * The `spanMs` of data ending with a device's newest signal. Message times are the devices' own
 * clocks (old replays included), so "the last day" means the last day of its data, not of the wall clock.
 */
export async function latestDataRange(
  http: GraphQLHttpClient,
  deviceId: string,
  spanMs = DAY_MS,
  signal?: AbortSignal,
): Promise<TimeRange | null> {
  const { device } = await http.request(LatestSignalTimeQuery, { id: deviceId }, signal);
  const newest = device?.signals.edges[0]?.node;
  if (!newest) return null;
  const endMs = Math.max(Date.parse(newest.time), Date.parse(newest.end.time)) + 1000;
  return { from: new Date(endMs - spanMs).toISOString(), to: new Date(endMs).toISOString() };
}
