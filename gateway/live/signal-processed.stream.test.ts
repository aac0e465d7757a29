import { mongo, Types } from 'mongoose';
import { Registry } from 'prom-client';
import { silentLogger, type ProcessedSignalEvent } from '../../schema';
import { createLiveMetrics } from './live.metrics';
import { liveOf, processedEvent } from '../../test/support/processed-signal-event.fixture';
import { toLiveSignal, type LiveSignal } from './processed-signal.mapper';
import { SignalProcessedStream } from './signal-processed.stream';
import type { ReplayFilter, ReplayPosition, SignalReplay } from './signal-replay';

function event(deviceId = 'dev'): ProcessedSignalEvent {
  return processedEvent(deviceId, 1_000);
}

/** The stored signals, read in id order like the database replay. */
class StoredSignals {
  readonly signals: LiveSignal[] = [];
  pagesRead = 0;
  /** Runs once before the next page is answered (e.g. events arriving mid-replay). */
  beforeNextPage: (() => void) | undefined;

  constructor(private readonly pageSize: number) {}

  store(...events: ProcessedSignalEvent[]): ProcessedSignalEvent[] {
    this.signals.push(...events.map(toLiveSignal));
    return events;
  }

  asReplay(): SignalReplay {
    return {
      nextPage: async (position: ReplayPosition, filter: ReplayFilter) => {
        this.pagesRead += 1;
        const hook = this.beforeNextPage;
        this.beforeNextPage = undefined;
        hook?.();
        const after = (s: LiveSignal): boolean =>
          'afterId' in position
            ? s._id.toHexString() > position.afterId.toHexString()
            : s._id.toHexString() >= position.fromId.toHexString();
        return this.signals
          .filter((s) => after(s) && (filter.deviceIds === undefined || filter.deviceIds.includes(s.deviceId)))
          .sort((a, b) => a._id.toHexString().localeCompare(b._id.toHexString()))
          .slice(0, this.pageSize);
      },
    } as unknown as SignalReplay;
  }
}

function open(
  stored: StoredSignals,
  options: { since?: ProcessedSignalEvent; bufferCap?: number } = {},
): SignalProcessedStream {
  return new SignalProcessedStream({
    deviceIds: undefined,
    bbox: undefined,
    since: options.since ? new Types.ObjectId(options.since.signalId) : undefined,
    bufferCap: options.bufferCap ?? 8,
    replay: stored.asReplay(),
    metrics: createLiveMetrics(new Registry()),
    logger: silentLogger(),
  });
}

async function take(stream: SignalProcessedStream, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const next = await stream.next();
    if (next.done) throw new Error(`stream ended after ${ids.length}`);
    ids.push(next.value._id.toHexString());
  }
  return ids;
}

const idsOf = (events: ProcessedSignalEvent[]): string[] => events.map((e) => e.signalId);

describe('SignalProcessedStream', () => {
  it('replays what was stored after since, then continues live without repeating the seam', async () => {
    const stored = new StoredSignals(2);
    const [since] = stored.store(event());
    const missed = stored.store(event(), event(), event());
    const stream = open(stored, { since });
    // Stored and published while the replay runs: arrives live too, must come once.
    const seam = event();
    stored.beforeNextPage = () => {
      stored.store(seam);
      stream.push(liveOf(seam));
    };
    const live = event();
    const received = await take(stream, 4);
    stored.store(live);
    stream.push(liveOf(live));
    stream.push(liveOf(seam));
    received.push(...(await take(stream, 1)));
    expect(received).toEqual([...idsOf(missed), seam.signalId, live.signalId]);
    expect(stream.bufferedCount).toBe(0);
    await stream.return();
  });

  it('never buffers more than its cap and re-reads what it discarded from the store, in order', async () => {
    const stored = new StoredSignals(5);
    const stream = open(stored, { bufferCap: 4 });
    const first = stored.store(event());
    stream.push(liveOf(first[0]));
    expect(await take(stream, 1)).toEqual(idsOf(first));
    const burst = stored.store(...Array.from({ length: 11 }, () => event()));
    let maxBuffered = 0;
    for (const e of burst) {
      stream.push(liveOf(e));
      maxBuffered = Math.max(maxBuffered, stream.bufferedCount);
    }
    expect(maxBuffered).toBeLessThanOrEqual(4);
    expect(await take(stream, 11)).toEqual(idsOf(burst));
    const after = stored.store(event());
    stream.push(liveOf(after[0]));
    expect(await take(stream, 1)).toEqual(idsOf(after));
    await stream.return();
  });

  it('recovers from the store after a Redis gap', async () => {
    const stored = new StoredSignals(10);
    const stream = open(stored);
    const before = stored.store(event());
    stream.push(liveOf(before[0]));
    await take(stream, 1);
    const lost = stored.store(event(), event());
    stream.recover();
    expect(await take(stream, 2)).toEqual(idsOf(lost));
    await stream.return();
  });

  it('drops a republished event already delivered', async () => {
    const stored = new StoredSignals(10);
    const stream = open(stored);
    const [once] = stored.store(event());
    stream.push(liveOf(once));
    await take(stream, 1);
    stream.push(liveOf(once));
    expect(stream.bufferedCount).toBe(0);
    await stream.return();
  });

  it('delivers a revised signal again, without moving its resume point back to it', async () => {
    // Pages of one: a recovery from the revised id would read the newer one first.
    const stored = new StoredSignals(1);
    const stream = open(stored);
    const sent = stored.store(event(), event());
    for (const e of sent) stream.push(liveOf(e));
    expect(await take(stream, 2)).toEqual(idsOf(sent));
    const old = sent[0] as ProcessedSignalEvent;
    // updateSignal rewrote the older one: same id, new content.
    const revised = { ...old, dataLength: 7, revised: true as const };
    stream.push(liveOf(revised));
    const next = await stream.next();
    expect(next.value).toMatchObject({ _id: new Types.ObjectId(old.signalId), dataLength: 7 });
    // A gap now re-reads only what is newer than the newest delivered, not everything after the revised id.
    const lost = stored.store(event());
    const pagesBefore = stored.pagesRead;
    stream.recover();
    expect(await take(stream, 1)).toEqual(idsOf(lost));
    expect(stored.pagesRead).toBe(pagesBefore + 1);
    await stream.return();
  });

  it('keeps a revision that arrives while the page holding its signal is being delivered', async () => {
    const stored = new StoredSignals(10);
    const [since] = stored.store(event());
    const [signal] = stored.store(event());
    const stream = open(stored, { since });
    // The page is read with the old content; the update lands before it is delivered.
    stored.beforeNextPage = () => {
      stream.push(liveOf({ ...(signal as ProcessedSignalEvent), dataLength: 9, revised: true }));
    };
    const first = await stream.next();
    expect(first.value).toMatchObject({ _id: new Types.ObjectId(signal?.signalId), dataLength: 1 });
    const second = await stream.next();
    expect(second.value).toMatchObject({ _id: new Types.ObjectId(signal?.signalId), dataLength: 9 });
    await stream.return();
  });

  it('never resumes from a revised old signal, also when it is the first thing delivered', async () => {
    const stored = new StoredSignals(10);
    const hourAgo = Math.floor(Date.now() / 1000) - 3_600;
    const idAt = (secondsAgo: number) => Types.ObjectId.createFromTime(hourAgo + 3_600 - secondsAgo).toHexString();
    const [old] = stored.store(processedEvent('dev', 1_000, idAt(3_600)));
    stored.store(processedEvent('dev', 2_000, idAt(1_800)), processedEvent('dev', 3_000, idAt(900)));
    const stream = open(stored);
    stream.push(liveOf({ ...(old as ProcessedSignalEvent), dataLength: 4, revised: true }));
    expect(await take(stream, 1)).toEqual([old?.signalId]);
    // A gap: recovery starts from when the stream opened, not after the revised signal's old id.
    stream.recover();
    const [fresh] = stored.store(event());
    stream.push(liveOf(fresh as ProcessedSignalEvent));
    expect(await take(stream, 1)).toEqual([fresh?.signalId]);
    await stream.return();
  });

  it('recovers, before its first delivery, from the oldest id that arrived live, made before it opened', async () => {
    const stored = new StoredSignals(10);
    const stream = open(stored, { bufferCap: 2 });
    // Its id was made two seconds before the stream opened; it was stored and published after.
    const madeEarlier = Types.ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 2).toHexString();
    const burst = stored.store(processedEvent('dev', 1_000, madeEarlier), event(), event());
    for (const e of burst) stream.push(liveOf(e));
    expect(await take(stream, 3)).toEqual(idsOf(burst));
    await stream.return();
  });

  it('ends with DEPENDENCY_UNAVAILABLE when the database is away during a replay, else INTERNAL_SERVER_ERROR', async () => {
    for (const [failure, code] of [
      [new mongo.MongoNetworkError('connection reset'), 'DEPENDENCY_UNAVAILABLE'],
      [new Error('a bug'), 'INTERNAL_SERVER_ERROR'],
    ] as const) {
      const stored = new StoredSignals(10);
      const [since] = stored.store(event());
      stored.beforeNextPage = () => {
        throw failure;
      };
      const stream = open(stored, { since });
      await expect(stream.next()).rejects.toMatchObject({ extensions: { code } });
    }
  });

  it('stops replaying when the client leaves mid-replay', async () => {
    const stored = new StoredSignals(1);
    const [since] = stored.store(event());
    stored.store(event(), event(), event());
    const stream = open(stored, { since });
    await take(stream, 1);
    const pages = stored.pagesRead;
    await stream.return();
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(stored.pagesRead).toBe(pages);
  });
});
