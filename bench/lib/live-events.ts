import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import { allSignalsChannelFor, deviceSignalChannelFor, type ProcessedSignalEvent } from '../../schema';

/** A processed-signal event as the processor publishes it, for a signal of `deviceId` at `time`. */
export function processedEventFor(deviceId: string, time: number): ProcessedSignalEvent {
  return {
    signalId: new Types.ObjectId().toHexString(),
    deviceId,
    time,
    ingestedAt: Date.now(),
    dataLength: 563,
    dataVolume: 72_488,
    stats: { distanceMeters: 578.13, maxSpeed: 4.335532, avgSpeed: 1.16033, durationMs: 1_110_967, droppedSamples: 0 },
    bbox: { minLat: 51.3391, maxLat: 51.3402, minLon: 12.3383, maxLon: 12.3399 },
    start: { time, lat: 51.339764, lon: 12.339223, speed: 1.2038 },
    end: { time: time + 1_110_967, lat: 51.339596, lon: 12.339099, speed: 0.724132 },
    correlationId: `bench-${time}`,
  };
}

/** Publishes like the processor does: one MULTI with the device channel and the all-signals channel. */
export async function publishProcessedEvent(
  redis: Redis,
  namespace: string,
  event: ProcessedSignalEvent,
): Promise<void> {
  const json = JSON.stringify(event);
  await redis
    .multi()
    .publish(deviceSignalChannelFor(namespace, event.deviceId), json)
    .publish(allSignalsChannelFor(namespace), json)
    .exec();
}

/** The websocket URL of a gateway's GraphQL endpoint. */
export function graphqlWsUrlOf(gatewayUrl: string): string {
  return `${gatewayUrl.replace(/^http/, 'ws')}/graphql`;
}

/** The subscription the live scenarios open (fields the event carries, no database lookups). */
export const SIGNAL_PROCESSED_SUBSCRIPTION = `subscription Live($deviceIds: [ID!]) {
  signalProcessed(deviceIds: $deviceIds) { id deviceId time dataLength stats { distanceMeters maxSpeed } }
}`;
