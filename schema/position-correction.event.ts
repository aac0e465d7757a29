/**
 * What the processor publishes (JSON, on `positionCorrectionsChannelFor`) after a command set a
 * device's stored position back (deleted or back-dated its newest signal). Events only ever move a
 * device's live position forward, so the gateway reads the device's newest signal on this notice
 * and hands it to `devicePosition` subscribers. It names the device only: what is newest is read
 * when the notice arrives, so notices racing each other or a new signal still end on what is stored.
 */
export interface PositionCorrectionEvent {
  deviceId: string;
}
