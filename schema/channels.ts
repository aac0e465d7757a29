/**
 * Redis pub/sub channel names. The processor publishes; the gateway subscribes.
 *
 * Every name starts with a namespace (`XRAY_NAMESPACE`, default `xray`) so that several
 * deployments or test suites can share one Redis.
 */

/** Default namespace of Redis keys and channels. */
export const DEFAULT_NAMESPACE = 'xray';

/**
 * Topic of processed signals, as `@graphql-yoga/subscription` names it: subscribing with an id
 * (a device id) listens on `<topic>:<deviceId>`, without one on `<topic>` (every device).
 */
export function signalProcessedTopic(namespace: string): string {
  return `${namespace}:signal-processed`;
}

/** Channel of one device's processed signals. */
export function deviceSignalChannelFor(namespace: string, deviceId: string): string {
  return `${signalProcessedTopic(namespace)}:${deviceId}`;
}

/** Channel of every device's processed signals (each event is published here and on its device channel). */
export function allSignalsChannelFor(namespace: string): string {
  return signalProcessedTopic(namespace);
}

/** Channel of `PositionCorrectionEvent`s, every device's. */
export function positionCorrectionsChannelFor(namespace: string): string {
  return `${namespace}:position-corrections`;
}
