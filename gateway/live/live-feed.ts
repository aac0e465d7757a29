import type { ReturnModelType } from '@typegoose/typegoose';
import type { Registry } from 'prom-client';
import type { Types } from 'mongoose';
import { allSignalsChannelFor, deviceSignalChannelFor, type Device, type Logger, type Signal } from '../../schema';
import type { BBoxFilter } from './bbox-filter';
import { DevicePositionFeed, storedNewestPosition, storedPositionLookup } from './device-position.feed';
import { DevicePositionStream } from './device-position.stream';
import { createLiveMetrics, type LiveMetrics, type LiveSubscriptionKind } from './live.metrics';
import { LiveEventDecoder, type LiveEvent } from './live-event';
import type { LivePubSub } from './live-pubsub';
import type { LiveStream } from './live-stream';
import { SignalProcessedStream } from './signal-processed.stream';
import { SignalReplay } from './signal-replay';

/** Limits of the live streams; defaults in {@link DEFAULT_LIVE_FEED_LIMITS}. */
export interface LiveFeedLimits {
  /** Live events held per `signalProcessed` subscription for a slow client. */
  bufferSizePerSubscription: number;
  /** Signals per database page when replaying or recovering. */
  replayPageSize: number;
  /** Most devices a `devicePosition` subscription tracks at once. */
  maxPositionDevices: number;
  /**
   * Most devices whose newest position the gateway remembers for `devicePosition` (one read of the
   * stored position each; a device forgotten to make room is read again at its next event, so keep
   * this above the fleet's size).
   */
  knownPositionDevices: number;
}

export const DEFAULT_LIVE_FEED_LIMITS: LiveFeedLimits = {
  bufferSizePerSubscription: 256,
  replayPageSize: 100,
  maxPositionDevices: 10_000,
  knownPositionDevices: 100_000,
};

export interface LiveFeedOptions {
  pubSub: LivePubSub;
  /** `XRAY_NAMESPACE`: the channel prefix. */
  namespace: string;
  /** The signals model on this gateway's connection (replay and recovery read it). */
  signals: ReturnModelType<typeof Signal>;
  /** The devices model on this gateway's connection (`devicePosition` reads stored positions). */
  devices: ReturnModelType<typeof Device>;
  registry: Registry;
  logger: Logger;
  limits?: Partial<LiveFeedLimits>;
}

export interface SignalProcessedRequest {
  deviceIds: readonly string[] | undefined;
  bbox: BBoxFilter | undefined;
  since: Types.ObjectId | undefined;
}

/** What the live resolvers read from the operation context (`context.live`). */
export interface LiveFeed {
  /** Opens a `signalProcessed` stream; resolves once its Redis channels are confirmed live. */
  openSignalProcessed(request: SignalProcessedRequest): Promise<SignalProcessedStream>;
  /** Opens a `devicePosition` stream; resolves once its Redis channels are confirmed live. */
  openDevicePosition(deviceIds: readonly string[] | undefined): Promise<DevicePositionStream>;
  /** Streams open now. */
  readonly openStreams: number;
  readonly metrics: LiveMetrics;
  /** Ends every open stream (their clients see the subscription complete). */
  close(): Promise<void>;
}

/**
 * The gateway's live subscriptions over its one {@link LivePubSub}: per-device channels when the
 * client names devices, the all-devices channel otherwise. `signalProcessed` streams listen on
 * their channels themselves; `devicePosition` streams are fed by one {@link DevicePositionFeed}.
 */
export function createLiveFeed(options: LiveFeedOptions): LiveFeed {
  const limits = { ...DEFAULT_LIVE_FEED_LIMITS, ...options.limits };
  const metrics = createLiveMetrics(options.registry);
  const replay = new SignalReplay(options.signals, limits.replayPageSize);
  const logger = options.logger.child({ component: 'live-feed' });
  const open = new Set<LiveStream<unknown>>();
  const decoder = new LiveEventDecoder(() => metrics.malformedEvents.inc());
  const positions = new DevicePositionFeed({
    pubSub: options.pubSub,
    namespace: options.namespace,
    decoder,
    lookup: storedPositionLookup(options.devices),
    readNewest: storedNewestPosition(options.signals),
    maxKnownDevices: limits.knownPositionDevices,
    metrics,
    logger,
  });

  const channelsFor = (deviceIds: readonly string[] | undefined): string[] =>
    deviceIds === undefined
      ? [allSignalsChannelFor(options.namespace)]
      : deviceIds.map((id) => deviceSignalChannelFor(options.namespace, id));

  async function attach<S extends LiveStream<unknown>>(
    kind: LiveSubscriptionKind,
    stream: S,
    deviceIds: readonly string[] | undefined,
    push: (event: LiveEvent) => void,
    onGap?: () => void,
  ): Promise<S> {
    const removeListener = await options.pubSub.listen(channelsFor(deviceIds), (payload) => {
      const event = decoder.decode(payload);
      if (event) push(event);
    });
    const removeGapListener = onGap ? options.pubSub.onGap(onGap) : undefined;
    stream.onClose(() => {
      removeListener();
      removeGapListener?.();
    });
    return track(kind, stream);
  }

  function track<S extends LiveStream<unknown>>(kind: LiveSubscriptionKind, stream: S): S {
    open.add(stream);
    metrics.openStreams.inc({ subscription: kind });
    stream.onClose(() => {
      open.delete(stream);
      metrics.openStreams.dec({ subscription: kind });
    });
    return stream;
  }

  return {
    metrics,
    get openStreams() {
      return open.size;
    },
    async openSignalProcessed(request) {
      const stream = new SignalProcessedStream({
        deviceIds: request.deviceIds,
        bbox: request.bbox,
        since: request.since,
        bufferCap: limits.bufferSizePerSubscription,
        replay,
        metrics,
        logger,
      });
      return attach('signalProcessed', stream, request.deviceIds, stream.push, stream.recover);
    },
    async openDevicePosition(deviceIds) {
      const stream = new DevicePositionStream({ deviceIds, maxDevices: limits.maxPositionDevices, metrics });
      await positions.attach(stream, deviceIds);
      return track('devicePosition', stream);
    },
    async close() {
      await Promise.all([...open].map((stream) => stream.return()));
      positions.close();
    },
  };
}
