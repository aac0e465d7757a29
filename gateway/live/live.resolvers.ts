import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { Signal } from '../../schema';
import { BBoxInput } from '../signals/bbox.input';
import { DevicePosition } from './device-position.model';
import { validateDeviceIds, validateOptionalBBox, validateSince } from './live-args';
import { liveFeedOf, notOverWebSocket } from './live-context';
import type { LiveSignal } from './processed-signal.mapper';

interface SignalProcessedArgs {
  deviceIds?: string[] | null;
  bbox?: BBoxInput | null;
  since?: string | null;
}

interface DevicePositionArgs {
  deviceIds?: string[] | null;
}

@Resolver()
export class SignalProcessedResolver {
  @Subscription(() => Signal, {
    description:
      'Each signal as soon as it is stored, filtered on the server. With `since` (the greatest signal id received), the signals stored after it are replayed first, in ingest order, then live ones follow: none missing, none repeated (exact with one processor; with several, ids are ordered within about a second). A signal changed by `updateSignal` comes again under its id (live only: a replay does not bring back changes to signals older than `since`).',
    subscribe: async ({ args, context }) => {
      const { deviceIds, bbox, since } = args as SignalProcessedArgs;
      return liveFeedOf(context).openSignalProcessed({
        deviceIds: validateDeviceIds(deviceIds),
        bbox: validateOptionalBBox(bbox),
        since: validateSince(since),
      });
    },
  })
  signalProcessed(
    @Root() signal: LiveSignal,
    @Arg('deviceIds', () => [ID], {
      nullable: true,
      description: 'Only these devices (at most 100); all devices when omitted.',
    })
    _deviceIds?: string[] | null,
    @Arg('bbox', () => BBoxInput, {
      nullable: true,
      description: 'Only signals whose bounding box intersects this box.',
    })
    _bbox?: BBoxInput | null,
    @Arg('since', () => ID, {
      nullable: true,
      description:
        'The greatest signal id received (ids grow with ingest time; an updated signal keeps its old id): replay what was stored after it first.',
    })
    _since?: string | null,
  ): Signal {
    // Over HTTP, graphql-js resolves a subscription field once with no event.
    if (!signal) throw notOverWebSocket();
    // Live signals lack storage-only fields; Signal's field resolvers load the track by id.
    return signal as Signal;
  }
}

@Resolver()
export class DevicePositionResolver {
  @Subscription(() => DevicePosition, {
    description:
      "Each device's latest position as its signals are stored. A slow client receives the newest position per device, not every intermediate one; a late, older message never moves a device back, but updating or deleting its newest signal does (to the newest signal left; nothing is sent for a device left without signals). After the gateway lost Redis for a while, each device it had followed that moved meanwhile gets its newest position. Nothing is sent on subscribing: subscribe first, then read `devices { lastPosition }`, and keep whichever position has the later `time`.",
    subscribe: async ({ args, context }) => {
      const { deviceIds } = args as DevicePositionArgs;
      return liveFeedOf(context).openDevicePosition(validateDeviceIds(deviceIds));
    },
  })
  devicePosition(
    @Root() position: DevicePosition,
    @Arg('deviceIds', () => [ID], {
      nullable: true,
      description: 'Only these devices (at most 100); all devices when omitted.',
    })
    _deviceIds?: string[] | null,
  ): DevicePosition {
    if (!position) throw notOverWebSocket();
    return position;
  }
}

/** The live resolvers, for `buildSchema({ resolvers: [...others, ...liveResolvers] })`. */
export const liveResolvers = [SignalProcessedResolver, DevicePositionResolver] as const;
