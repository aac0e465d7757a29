import type { XRayPayload } from './xray-message';

/** Length of the minute sample offsets count within. */
const MINUTE_MS = 60_000;

/**
 * When a payload's last sample was taken: `time` plus its offset plus a minute for every time an
 * offset fell below its predecessor (a new minute began), the rule the processor places every
 * sample by (`processor/sample-timeline.ts`).
 */
export function lastSampleTime(payload: XRayPayload): number {
  let minutesElapsed = 0;
  let previousOffset: number | undefined;
  for (const [offset] of payload.data) {
    if (previousOffset !== undefined && offset < previousOffset) minutesElapsed += 1;
    previousOffset = offset;
  }
  return payload.time + (previousOffset ?? 0) + MINUTE_MS * minutesElapsed;
}
