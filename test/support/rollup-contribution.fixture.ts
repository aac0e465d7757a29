import type { RollupContribution } from '../../processor/rollup-recompute';

export const HOUR = 3_600_000;
/** The hour the fixture's signals start in. */
export const T0 = Date.UTC(2025, 0, 1, 10);

/** A signal's rollup contribution `offsetMs` after {@link T0}, with plain figures unless overridden. */
export function contributionAt(
  deviceId: string,
  offsetMs: number,
  values: Partial<RollupContribution> = {},
): RollupContribution {
  const time = T0 + offsetMs;
  return {
    deviceId,
    time,
    ingestedAt: time + 5_000,
    dataVolume: 100,
    distanceMeters: 10,
    maxSpeed: 3,
    speedSum: 6,
    sampleCount: 3,
    end: { time: time + 2_000, lat: 1, lon: 2, speed: 3 },
    ...values,
  };
}
