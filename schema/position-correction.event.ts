import type { ProcessedSignalEvent } from './processed-signal.event';

/**
 * What the processor publishes (JSON, on {@link positionCorrectionsChannelFor}) after a command
 * changed or removed a device's signals: the device's newest signal now. Events only ever move a
 * device's live position forward, so a position lowered by an update or delete reaches
 * `devicePosition` subscribers through this message alone.
 */
export interface PositionCorrectionEvent {
  deviceId: string;
  /** The device's newest signal (greatest `end`, as its rollup's `lastPosition`); `null` when it has none left. */
  newest: ProcessedSignalEvent | null;
}
