import { Registry } from 'prom-client';
import type { ProcessedSignalEvent } from '../../schema';
import { DevicePositionStream } from './device-position.stream';
import { createLiveMetrics } from './live.metrics';
import { liveOf, processedEvent } from '../../test/support/processed-signal-event.fixture';

let counter = 0;
function event(deviceId: string, endTime: number): ProcessedSignalEvent {
  counter += 1;
  return processedEvent(deviceId, endTime, counter.toString(16).padStart(24, '0'));
}

function stream(deviceIds?: string[], maxDevices = 100): DevicePositionStream {
  return new DevicePositionStream({ deviceIds, maxDevices, metrics: createLiveMetrics(new Registry()) });
}

describe('DevicePositionStream', () => {
  it("coalesces a slow client's backlog to the newest position per device", async () => {
    const positions = stream();
    const newestA = event('a', 3_000);
    positions.push(liveOf(event('a', 1_000)).position);
    positions.push(liveOf(event('b', 1_000)).position);
    positions.push(liveOf(event('a', 2_000)).position);
    positions.push(liveOf(newestA).position);
    expect(positions.bufferedCount).toBe(2);
    expect((await positions.next()).value).toMatchObject({ deviceId: 'a', signalId: newestA.signalId });
    expect((await positions.next()).value).toMatchObject({ deviceId: 'b' });
    await positions.return();
  });

  it("keeps a device's place in line when a newer position replaces its pending one", async () => {
    const positions = stream();
    positions.push(liveOf(event('a', 1_000)).position);
    positions.push(liveOf(event('b', 1_000)).position);
    const newerA = event('a', 2_000);
    positions.push(liveOf(newerA).position);
    expect(positions.bufferedCount).toBe(2);
    expect((await positions.next()).value?.signalId).toBe(newerA.signalId);
    expect((await positions.next()).value?.deviceId).toBe('b');
    await positions.return();
  });

  it('holds at most maxDevices pending positions, dropping the longest-waiting device', async () => {
    const positions = stream(undefined, 2);
    positions.push(liveOf(event('a', 1)).position);
    positions.push(liveOf(event('b', 1)).position);
    positions.push(liveOf(event('c', 1)).position);
    expect(positions.bufferedCount).toBe(2);
    expect((await positions.next()).value?.deviceId).toBe('b');
    await positions.return();
  });

  it('ignores other devices', async () => {
    const positions = stream(['a']);
    positions.push(liveOf(event('b', 1)).position);
    expect(positions.bufferedCount).toBe(0);
    await positions.return();
  });

  it('ends a pending next() at once when the client leaves', async () => {
    const positions = stream();
    const pending = positions.next();
    await positions.return();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
  });
});
