import type { ReturnModelType } from '@typegoose/typegoose';
import {
  allSignalsChannelFor,
  DEVICE_ID_PATTERN,
  deviceSignalChannelFor,
  positionCorrectionsChannelFor,
  type Device,
  type Logger,
  type Signal,
  withTimeout,
} from '../../schema';
import type { DevicePosition } from './device-position.model';
import type { DevicePositionStream } from './device-position.stream';
import type { LiveMetrics } from './live.metrics';
import type { LiveEventDecoder } from './live-event';
import type { LivePubSub } from './live-pubsub';
import { NewestPositions, type SamplePosition } from './newest-positions';

/** How long a read of stored positions may take before its devices are judged without it. */
export const POSITION_LOOKUP_TIMEOUT_MS = 2_000;
/** After a failed read, how long a device's positions are judged against its events alone. */
export const POSITION_LOOKUP_RETRY_MS = 5_000;
/** Most devices per read of stored positions. */
export const MAX_POSITION_LOOKUP_BATCH = 256;

export interface DevicePositionFeedOptions {
  pubSub: LivePubSub;
  /** `XRAY_NAMESPACE`: the channel prefix. */
  namespace: string;
  /** The live feed's decoder: each Redis message is parsed once for every stream. */
  decoder: LiveEventDecoder;
  /** Reads devices' stored newest positions, e.g. {@link storedPositionLookup}. */
  lookup(deviceIds: readonly string[]): Promise<ReadonlyMap<string, SamplePosition>>;
  /** Reads a device's newest stored signal as its position, e.g. {@link storedNewestPosition}. */
  readNewest(deviceId: string): Promise<DevicePosition | undefined>;
  /** Most devices whose newest position is remembered. */
  maxKnownDevices: number;
  metrics: LiveMetrics;
  logger: Logger;
}

/** One Redis channel the feed listens on, and the streams it feeds. */
interface PositionChannel {
  readonly name: string;
  /** The device of a device channel; `undefined` for the all-devices channel. */
  readonly deviceId: string | undefined;
  readonly streams: Set<DevicePositionStream>;
  /** Settles once Redis confirmed the SUBSCRIBE. */
  ready: Promise<void>;
  /** Whether Redis confirmed the SUBSCRIBE: only then are this channel's devices observed. */
  live: boolean;
  removeListener: (() => void) | undefined;
}

interface Delivery {
  position: DevicePosition;
  /** The channel an event came on; `undefined` for a correction: every live channel carrying its device. */
  channel: PositionChannel | undefined;
}

/**
 * Feeds the gateway's `devicePosition` streams. It listens once per channel (however many streams
 * read it), judges each message once against its device's newest position, shared by every
 * stream ({@link NewestPositions}: the stored `lastPosition`, read once per device, then kept
 * current from events), and hands only current positions to the channel's streams. So a late,
 * older message never moves a device back, also for a subscription that has seen nothing yet,
 * and the per-event cost does not grow with per-subscription state. `signalProcessed` does not
 * pass through here: it delivers every event.
 *
 * A device's newest is forgotten (read again when next needed) when no channel carrying its
 * events is listened to any more. After Redis reconnected, the devices whose stored position
 * differs from their newest get their newest signal read and delivered (a catch-up). On a
 * correction notice (an update or delete set the device's stored position back) its newest
 * signal is read and reaches the device's streams, though older. Items superseded by a correction
 * count as stale positions.
 */
export class DevicePositionFeed {
  private readonly channels = new Map<string, PositionChannel>();
  private readonly newest: NewestPositions<Delivery>;
  private readonly allChannel: string;
  private readonly removeGapListener: () => void;
  /** Settles once Redis confirmed the SUBSCRIBE of the corrections channel (listened to from the first stream on). */
  private corrections: Promise<void> | undefined;
  private removeCorrectionsListener: (() => void) | undefined;
  private closed = false;

  constructor(private readonly options: DevicePositionFeedOptions) {
    this.allChannel = allSignalsChannelFor(options.namespace);
    const { metrics, logger } = options;
    this.newest = new NewestPositions<Delivery>({
      lookup: options.lookup,
      readNewest: async (deviceId) => {
        const position = await options.readNewest(deviceId);
        return position && { position: samplePositionOf(position.position), item: { position, channel: undefined } };
      },
      onVerdict: ({ position, channel }, current) => {
        if (!current) {
          metrics.stalePositions.inc();
          return;
        }
        const channels = channel === undefined ? this.channelsCarrying(position.deviceId) : [channel];
        for (const carrying of channels) for (const stream of carrying.streams) stream.push(position);
      },
      maxDevices: options.maxKnownDevices,
      retryAfterMs: POSITION_LOOKUP_RETRY_MS,
      maxLookupBatch: MAX_POSITION_LOOKUP_BATCH,
      onLookupSettled: (deviceIds, error) => {
        metrics.positionLookups.inc({ outcome: error === undefined ? 'ok' : 'failed' }, deviceIds.length);
        if (error !== undefined) {
          logger.warn(
            { err: error, devices: deviceIds.length },
            'live: stored positions could not be read; judging positions by events alone for now',
          );
        }
      },
    });
    // Events published while Redis was away are lost: a newest kept from events may lag behind,
    // and a device that went quiet meanwhile would show its old position until it moves again.
    this.removeGapListener = options.pubSub.onGap(() => this.newest.catchUp());
  }

  /**
   * Feeds `stream` the current positions of `deviceIds` (every device when undefined) until it
   * closes; resolves once its channels are confirmed live. On failure the stream is closed.
   */
  async attach(stream: DevicePositionStream, deviceIds: readonly string[] | undefined): Promise<void> {
    const channels =
      deviceIds === undefined
        ? [this.join(this.allChannel, undefined, stream)]
        : deviceIds.map((id) => this.join(deviceSignalChannelFor(this.options.namespace, id), id, stream));
    stream.onClose(() => {
      for (const channel of channels) this.leave(channel, stream);
    });
    try {
      await Promise.all([...channels.map((channel) => channel.ready), this.listenForCorrections()]);
    } catch (error) {
      await stream.return();
      throw error;
    }
  }

  /** Stops following Redis reconnects; call after every stream ended. */
  close(): void {
    this.closed = true;
    this.newest.close();
    this.removeGapListener();
    this.removeCorrectionsListener?.();
    this.removeCorrectionsListener = undefined;
  }

  private listenForCorrections(): Promise<void> {
    this.corrections ??= this.options.pubSub
      .listen([positionCorrectionsChannelFor(this.options.namespace)], (payload) => this.onCorrection(payload))
      .then(
        (removeListener) => {
          if (this.closed) removeListener();
          else this.removeCorrectionsListener = removeListener;
        },
        (error: unknown) => {
          // The next stream asks again.
          this.corrections = undefined;
          throw error;
        },
      );
    return this.corrections;
  }

  private join(name: string, deviceId: string | undefined, stream: DevicePositionStream): PositionChannel {
    let channel = this.channels.get(name);
    if (channel === undefined) {
      const created: PositionChannel = {
        name,
        deviceId,
        streams: new Set(),
        ready: Promise.resolve(),
        live: false,
        removeListener: undefined,
      };
      created.ready = this.options.pubSub
        .listen([name], (payload) => this.onMessage(created, payload))
        .then(
          (removeListener) => {
            if (this.channels.get(name) === created) {
              created.removeListener = removeListener;
              created.live = true;
            } else {
              // Every stream left while Redis confirmed.
              removeListener();
            }
          },
          (error: unknown) => {
            if (this.channels.get(name) === created) this.channels.delete(name);
            throw error;
          },
        );
      this.channels.set(name, created);
      channel = created;
    }
    channel.streams.add(stream);
    return channel;
  }

  private leave(channel: PositionChannel, stream: DevicePositionStream): void {
    channel.streams.delete(stream);
    if (channel.streams.size > 0 || this.channels.get(channel.name) !== channel) return;
    this.channels.delete(channel.name);
    channel.removeListener?.();
    // Nothing carries the channel's devices now, unless another channel does (confirmed live).
    if (channel.deviceId === undefined) {
      this.newest.forgetAll((id) => this.isObserved(deviceSignalChannelFor(this.options.namespace, id)));
    } else if (!this.isObserved(this.allChannel)) {
      this.newest.forget(channel.deviceId);
    }
  }

  private isObserved(name: string): boolean {
    return this.channels.get(name)?.live === true;
  }

  /** The live channels carrying `deviceId`'s messages: its own and the all-devices channel. */
  private channelsCarrying(deviceId: string): PositionChannel[] {
    return [deviceSignalChannelFor(this.options.namespace, deviceId), this.allChannel]
      .map((name) => this.channels.get(name))
      .filter((channel): channel is PositionChannel => channel?.live === true);
  }

  private onMessage(channel: PositionChannel, payload: unknown): void {
    // Left by its last stream while Redis confirmed: nothing judges this device's messages any more.
    if (this.channels.get(channel.name) !== channel) return;
    const live = this.options.decoder.decode(payload);
    if (live === undefined) return;
    this.newest.judge(live.event.deviceId, live.event.end, { position: live.position, channel });
  }

  /**
   * A device's stored position was set back (its newest signal deleted or back-dated): its newest
   * signal now reaches the streams following it ({@link NewestPositions.correct}). A device nobody
   * here follows has no position kept to correct.
   */
  private onCorrection(payload: unknown): void {
    const deviceId = (payload as { deviceId?: unknown } | null)?.deviceId;
    if (typeof deviceId !== 'string' || !DEVICE_ID_PATTERN.test(deviceId)) {
      this.options.metrics.malformedEvents.inc();
      return;
    }
    if (this.channelsCarrying(deviceId).length > 0) this.newest.correct(deviceId);
  }
}

/** A stored position (its time a date, or epoch ms) as positions are compared. */
function samplePositionOf({
  time,
  lat,
  lon,
  speed,
}: {
  time: Date | number;
  lat: number;
  lon: number;
  speed: number;
}): SamplePosition {
  return { time: new Date(time).getTime(), lat, lon, speed };
}

/** Signals by `end` descending, compared field by field as `$max` compares `lastPosition`. */
const NEWEST_END_FIRST = { 'end.time': -1, 'end.lat': -1, 'end.lon': -1, 'end.speed': -1 } as const;

/**
 * Reads a device's newest signal (the one its `lastPosition` comes from) as its position, rejecting
 * after `timeoutMs`. One device's signals, read by `deviceId` equality; only after a correction.
 */
export function storedNewestPosition(
  signals: ReturnModelType<typeof Signal>,
  timeoutMs = POSITION_LOOKUP_TIMEOUT_MS,
): (deviceId: string) => Promise<DevicePosition | undefined> {
  return async (deviceId) => {
    const newest = await withTimeout(
      signals
        .findOne({ deviceId }, { _id: 1, deviceId: 1, end: 1 })
        .sort(NEWEST_END_FIRST)
        // No index serves this sort: the device's signals are read. The server gives up with the
        // caller, so a slow read is not left running behind a retry.
        .maxTimeMS(timeoutMs)
        .lean<Pick<Signal, '_id' | 'deviceId' | 'end'>>()
        .exec(),
      timeoutMs,
    );
    if (!newest) return undefined;
    const { time, lat, lon, speed } = newest.end;
    return {
      deviceId: newest.deviceId,
      signalId: newest._id.toHexString(),
      position: { time: new Date(time), lat, lon, speed },
    };
  };
}

/**
 * Reads devices' stored newest positions (`devices.lastPosition`, kept by the processor's
 * rollups) in one query, rejecting after `timeoutMs` so events never wait long on the database.
 */
export function storedPositionLookup(
  devices: ReturnModelType<typeof Device>,
  timeoutMs = POSITION_LOOKUP_TIMEOUT_MS,
): (deviceIds: readonly string[]) => Promise<ReadonlyMap<string, SamplePosition>> {
  return async (deviceIds) => {
    const found = await withTimeout(
      devices
        .find({ _id: { $in: [...deviceIds] } }, { lastPosition: 1 })
        .lean<Array<Pick<Device, '_id' | 'lastPosition'>>>()
        .exec(),
      timeoutMs,
    );
    const positions = new Map<string, SamplePosition>();
    for (const { _id, lastPosition } of found) if (lastPosition) positions.set(_id, samplePositionOf(lastPosition));
    return positions;
  };
}
