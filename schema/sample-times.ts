import type { XRayPayload, XRaySample } from './xray-message';

/** Length of the minute sample offsets count within. */
const MINUTE_MS = 60_000;

/**
 * Calls `visit` with each sample and its absolute time, in order. Devices send offsets as
 * milliseconds within the current minute, so an offset smaller than its predecessor means a new
 * minute began: sample time = `time` + offset + 60,000 × (number of decreases so far). The one
 * place this rule lives: the validator bounds the last sample by it, the processor places every
 * sample by it.
 */
export function forEachSampleTime(
  messageTime: number,
  data: ReadonlyArray<XRaySample>,
  visit: (time: number, sample: XRaySample) => void,
): void {
  let minutesElapsed = 0;
  let previousOffset: number | undefined;
  for (const sample of data) {
    const offset = sample[0];
    if (previousOffset !== undefined && offset < previousOffset) minutesElapsed += 1;
    previousOffset = offset;
    visit(messageTime + offset + MINUTE_MS * minutesElapsed, sample);
  }
}

/** When a payload's last sample was taken. */
export function lastSampleTime(payload: XRayPayload): number {
  let last = payload.time;
  forEachSampleTime(payload.time, payload.data, (time) => {
    last = time;
  });
  return last;
}
