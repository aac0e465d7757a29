/**
 * The event the processor publishes on Redis (JSON) after a signal is stored.
 * Delivery is at least once: a redelivered message republishes the same `signalId`.
 */
export interface ProcessedSignalEvent {
  /** Id of the stored signal (hex ObjectId); repeats carry the same id. */
  signalId: string;
  deviceId: string;
  /** Message time, epoch ms. */
  time: number;
  /** When ingest accepted the message, epoch ms. */
  ingestedAt: number;
  dataLength: number;
  dataVolume: number;
  stats: {
    distanceMeters: number;
    maxSpeed: number;
    avgSpeed: number;
    durationMs: number;
    droppedSamples: number;
  };
  bbox: { minLat: number; maxLat: number; minLon: number; maxLon: number };
  /** First and last kept samples; `time` in epoch ms. */
  start: { time: number; lat: number; lon: number; speed: number };
  end: { time: number; lat: number; lon: number; speed: number };
  /** Id of its track in `signal_tracks` (hex ObjectId); absent for a signal stored before tracks moved there. */
  trackId?: string;
  /** Correlation id from the HTTP request that carried the message. */
  correlationId: string;
  /**
   * Set when `updateSignal` rewrote a signal stored before: the same id, new content. Repeats of
   * an id are otherwise redeliveries, which subscribers have seen already.
   */
  revised?: true;
}
