import { Registry } from 'prom-client';
import {
  allSignalsChannelFor,
  deviceSignalChannelFor,
  positionCorrectionsChannelFor,
  silentLogger,
  type PositionCorrectionEvent,
  type ProcessedSignalEvent,
} from '../../schema';
import { liveOf, processedEvent } from '../../test/support/processed-signal-event.fixture';
import { DevicePositionFeed } from './device-position.feed';
import { DevicePositionStream } from './device-position.stream';
import { createLiveMetrics, type LiveMetrics } from './live.metrics';
import { LiveEventDecoder } from './live-event';
import type { LiveListener, LivePubSub } from './live-pubsub';
import type { DevicePosition } from './device-position.model';
import type { SamplePosition } from './newest-positions';

const NS = 'unit';

/** Channels and listeners in memory, with Redis' delivery: each listener of a channel, in order. */
class MemoryPubSub {
  readonly listeners = new Map<string, Set<LiveListener>>();
  private readonly gapListeners = new Set<() => void>();

  readonly pubSub = {
    listen: async (channels: readonly string[], listener: LiveListener) => {
      for (const channel of channels) {
        const set = this.listeners.get(channel) ?? new Set();
        set.add(listener);
        this.listeners.set(channel, set);
      }
      return () => {
        for (const channel of channels) {
          this.listeners.get(channel)?.delete(listener);
          if (this.listeners.get(channel)?.size === 0) this.listeners.delete(channel);
        }
      };
    },
    onGap: (onGap: () => void) => {
      this.gapListeners.add(onGap);
      return () => this.gapListeners.delete(onGap);
    },
  } as unknown as LivePubSub;

  /** Publishes as the processor does: the device channel, then the all-devices channel (each parsed apart). */
  publish(event: ProcessedSignalEvent): void {
    for (const channel of [deviceSignalChannelFor(NS, event.deviceId), allSignalsChannelFor(NS)]) {
      for (const listener of this.listeners.get(channel) ?? []) listener(JSON.parse(JSON.stringify(event)), channel);
    }
  }

  /** Publishes a correction notice as the processor does, after an update or delete. */
  correct(correction: PositionCorrectionEvent | Record<string, unknown>): void {
    const channel = positionCorrectionsChannelFor(NS);
    for (const listener of this.listeners.get(channel) ?? []) listener(JSON.parse(JSON.stringify(correction)), channel);
  }

  gap(): void {
    for (const onGap of this.gapListeners) onGap();
  }
}

function setUp() {
  const redis = new MemoryPubSub();
  const stored = new Map<string, SamplePosition>();
  const lookups: string[][] = [];
  /** Each device's newest signal, as a correction reads it. */
  const newestSignals = new Map<string, DevicePosition>();
  const newestReads: string[] = [];
  const metrics: LiveMetrics = createLiveMetrics(new Registry());
  const feed = new DevicePositionFeed({
    pubSub: redis.pubSub,
    namespace: NS,
    decoder: new LiveEventDecoder(() => undefined),
    lookup: async (deviceIds) => {
      lookups.push([...deviceIds]);
      return new Map([...stored].filter(([id]) => deviceIds.includes(id)));
    },
    readNewest: async (deviceId) => {
      newestReads.push(deviceId);
      return newestSignals.get(deviceId);
    },
    maxKnownDevices: 100,
    metrics,
    logger: silentLogger(),
  });
  const open = async (deviceIds?: string[]): Promise<DevicePositionStream> => {
    const stream = new DevicePositionStream({ deviceIds, maxDevices: 100, metrics });
    await feed.attach(stream, deviceIds);
    return stream;
  };
  /** The device's newest signal (stored position and signal) is now the one ending at `time`. */
  const storeNewest = (deviceId: string, time: number): DevicePosition => {
    const newest = liveOf(processedEvent(deviceId, time)).position;
    stored.set(deviceId, storedAt(time));
    newestSignals.set(deviceId, newest);
    return newest;
  };
  /** A stream on device `d` that received its position at `time` (stored and published). */
  const openFollowing = async (time: number): Promise<DevicePositionStream> => {
    storeNewest('d', time);
    const stream = await open(['d']);
    redis.publish(processedEvent('d', time));
    await settle();
    await stream.next();
    return stream;
  };
  return { redis, stored, lookups, newestSignals, newestReads, metrics, feed, open, openFollowing, storeNewest };
}

/** Lets a lookup answer and its verdicts run. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

const storedAt = (time: number): SamplePosition => ({ time, lat: 1, lon: 2, speed: 3 });

describe('DevicePositionFeed', () => {
  it("gives a new subscription no late message older than the device's stored position", async () => {
    const { redis, stored, open } = setUp();
    stored.set('d', storedAt(10_000));
    const positions = await open(['d']);
    redis.publish(processedEvent('d', 4_000));
    await settle();
    expect(positions.bufferedCount).toBe(0);
    const newer = processedEvent('d', 11_000);
    redis.publish(newer);
    await settle();
    expect((await positions.next()).value?.signalId).toBe(newer.signalId);
    await positions.return();
  });

  it('reads a device once for all its subscriptions and hands each the same position', async () => {
    const { redis, stored, lookups, metrics, open } = setUp();
    stored.set('d', storedAt(10_000));
    const streams = [await open(['d']), await open(['d', 'e']), await open()];
    const first = processedEvent('d', 10_000);
    redis.publish(first);
    redis.publish(processedEvent('d', 9_000));
    const second = processedEvent('d', 12_000);
    redis.publish(second);
    await settle();
    expect(lookups).toEqual([['d']]);
    for (const stream of streams) {
      // Coalesced: the newest of the two current positions is pending.
      expect(stream.bufferedCount).toBe(1);
      expect((await stream.next()).value?.signalId).toBe(second.signalId);
    }
    // The stale message, judged once per channel it came on (device and all-devices).
    expect((await metrics.stalePositions.get()).values[0]?.value).toBe(2);
    await Promise.all(streams.map((stream) => stream.return()));
  });

  it('listens once per channel and stops when its last stream ends', async () => {
    const { redis, feed, open } = setUp();
    const a = await open(['d']);
    const b = await open(['d']);
    const all = await open();
    expect(redis.listeners.get(deviceSignalChannelFor(NS, 'd'))?.size).toBe(1);
    expect(redis.listeners.get(allSignalsChannelFor(NS))?.size).toBe(1);
    await a.return();
    expect(redis.listeners.has(deviceSignalChannelFor(NS, 'd'))).toBe(true);
    await b.return();
    await all.return();
    // Corrections are listened to from the first stream until the feed closes.
    expect([...redis.listeners.keys()]).toEqual([positionCorrectionsChannelFor(NS)]);
    feed.close();
    expect(redis.listeners.size).toBe(0);
  });

  it('reads a device again once no channel carried its messages for a while', async () => {
    const { redis, stored, lookups, open } = setUp();
    stored.set('d', storedAt(1_000));
    const first = await open(['d']);
    redis.publish(processedEvent('d', 1_000));
    await settle();
    await first.return();
    // Stored while nobody listened: the gateway never saw it.
    stored.set('d', storedAt(9_000));
    const second = await open(['d']);
    redis.publish(processedEvent('d', 5_000));
    await settle();
    expect(lookups).toEqual([['d'], ['d']]);
    expect(second.bufferedCount).toBe(0);
    await second.return();
  });

  it('keeps a device while another live channel still carries it', async () => {
    const { redis, stored, lookups, open } = setUp();
    stored.set('d', storedAt(1_000));
    const all = await open();
    const one = await open(['d']);
    redis.publish(processedEvent('d', 1_000));
    await settle();
    await one.return();
    redis.publish(processedEvent('d', 2_000));
    await settle();
    expect(lookups).toEqual([['d']]);
    await all.return();
  });

  it('after Redis reconnected, gives each device that moved meanwhile its newest signal', async () => {
    const { redis, lookups, open, storeNewest } = setUp();
    storeNewest('d', 1_000);
    storeNewest('quiet', 1_000);
    const positions = await open();
    redis.publish(processedEvent('d', 1_000));
    redis.publish(processedEvent('quiet', 1_000));
    await settle();
    await positions.next();
    await positions.next();
    // Stored while Redis was away: its event never came.
    const missed = storeNewest('d', 9_000);
    redis.gap();
    await settle();
    expect(lookups).toEqual([
      ['d', 'quiet'],
      ['d', 'quiet'],
    ]);
    expect(positions.bufferedCount).toBe(1);
    expect((await positions.next()).value).toEqual(missed);
    // A late message from before is still refused.
    redis.publish(processedEvent('d', 5_000));
    await settle();
    expect(positions.bufferedCount).toBe(0);
    await positions.return();
  });

  it('moves a device back to its newest signal on a correction, on every channel following it', async () => {
    const { redis, lookups, open, storeNewest } = setUp();
    storeNewest('d', 10_000);
    const one = await open(['d']);
    const all = await open();
    redis.publish(processedEvent('d', 10_000));
    await settle();
    await Promise.all([one.next(), all.next()]);
    // The processor deleted that signal: the one ending at 6 s is the newest now.
    const remaining = storeNewest('d', 6_000);
    redis.correct({ deviceId: 'd' });
    await settle();
    for (const stream of [one, all]) {
      expect(stream.bufferedCount).toBe(1);
      expect((await stream.next()).value).toEqual(remaining);
    }
    expect(lookups).toEqual([['d']]);
    // Judged against the corrected position from now on.
    const next = processedEvent('d', 7_000);
    redis.publish(next);
    await settle();
    expect((await one.next()).value?.signalId).toBe(next.signalId);
    await Promise.all([one.return(), all.return()]);
  });

  it('ends on what is stored when a new signal overtook the correction', async () => {
    const { redis, openFollowing, storeNewest } = setUp();
    const positions = await openFollowing(10_000);
    // Deleted, and a new signal stored before the notice arrived; its event comes after it.
    const overtaking = storeNewest('d', 12_000);
    redis.correct({ deviceId: 'd' });
    redis.publish(processedEvent('d', 12_000, overtaking.signalId));
    await settle();
    // Its own event, equal, coalesces with it: the device's position, never the deleted one.
    expect((await positions.next()).value).toEqual(overtaking);
    expect(positions.bufferedCount).toBe(0);
    await positions.return();
  });

  it('delivers nothing for a device left without signals, and takes its next signal', async () => {
    const { redis, stored, newestSignals, openFollowing } = setUp();
    const positions = await openFollowing(10_000);
    stored.delete('d');
    newestSignals.delete('d');
    redis.correct({ deviceId: 'd' });
    await settle();
    expect(positions.bufferedCount).toBe(0);
    // Older than the deleted one, the device's only signal now.
    const older = processedEvent('d', 3_000);
    redis.publish(older);
    await settle();
    expect((await positions.next()).value?.signalId).toBe(older.signalId);
    await positions.return();
  });

  it('ignores corrections of devices nobody follows here, and counts malformed ones', async () => {
    const { redis, metrics, open, storeNewest, newestReads } = setUp();
    storeNewest('d', 10_000);
    const positions = await open(['e']);
    redis.correct({ deviceId: 'd' });
    redis.correct({ deviceId: 'not a device id' });
    redis.correct({ device: 'e' });
    await settle();
    expect(positions.bufferedCount).toBe(0);
    expect(newestReads).toEqual([]);
    expect((await metrics.malformedEvents.get()).values[0]?.value).toBe(2);
    await positions.return();
  });
});
