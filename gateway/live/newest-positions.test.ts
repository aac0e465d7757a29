import { comparePositions, NewestPositions, type SamplePosition } from './newest-positions';

const at = (time: number, lat = 1): SamplePosition => ({ time, lat, lon: 2, speed: 3 });

/** A store answering lookups when the test says so. */
class Store {
  readonly positions = new Map<string, SamplePosition>();
  /** The item naming each device's newest signal (read by corrections), at `positions`. */
  readonly newestItems = new Map<string, string>();
  readonly lookups: string[][] = [];
  readonly newestReads: string[] = [];
  private readonly waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  readonly lookup = (deviceIds: readonly string[]): Promise<ReadonlyMap<string, SamplePosition>> => {
    this.lookups.push([...deviceIds]);
    return new Promise((resolve, reject) => {
      this.waiting.push({
        resolve: () => {
          const found = new Map<string, SamplePosition>();
          for (const id of deviceIds) {
            const position = this.positions.get(id);
            if (position) found.set(id, position);
          }
          resolve(found);
        },
        reject,
      });
    });
  };

  readonly readNewest = (deviceId: string): Promise<{ position: SamplePosition; item: string } | undefined> => {
    this.newestReads.push(deviceId);
    return new Promise((resolve, reject) => {
      this.waiting.push({
        resolve: () => {
          const position = this.positions.get(deviceId);
          const item = this.newestItems.get(deviceId);
          resolve(position && item !== undefined ? { position, item } : undefined);
        },
        reject,
      });
    });
  };

  /** Answers the oldest pending lookup (from the store as it is now) and lets its verdicts run. */
  async answer(): Promise<void> {
    await flush();
    const next = this.waiting.shift();
    if (!next) throw new Error('no lookup is pending');
    next.resolve();
    await flush();
  }

  async fail(): Promise<void> {
    await flush();
    const next = this.waiting.shift();
    if (!next) throw new Error('no lookup is pending');
    next.reject(new Error('database away'));
    await flush();
  }
}

/** Lets queued microtasks run (the batched lookup start, a settled lookup's verdicts). */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

function setUp(options: { maxDevices?: number; maxLookupBatch?: number; now?: () => number } = {}) {
  const store = new Store();
  const verdicts: Array<[string, boolean]> = [];
  const settled: Array<{ devices: number; failed: boolean }> = [];
  const newest = new NewestPositions<string>({
    lookup: store.lookup,
    readNewest: store.readNewest,
    onVerdict: (item, current) => verdicts.push([item, current]),
    maxDevices: options.maxDevices ?? 100,
    retryAfterMs: 5_000,
    maxLookupBatch: options.maxLookupBatch ?? 100,
    onLookupSettled: (deviceIds, error) => settled.push({ devices: deviceIds.length, failed: error !== undefined }),
    ...(options.now ? { now: options.now } : {}),
  });
  return { store, verdicts, settled, newest };
}

describe('comparePositions', () => {
  it('orders by time, then lat, lon and speed, as the stored lastPosition is chosen', () => {
    expect(comparePositions(at(2), at(1, 9))).toBeGreaterThan(0);
    expect(comparePositions(at(1, 2), at(1, 1))).toBeGreaterThan(0);
    expect(comparePositions({ ...at(1), lon: 1 }, at(1))).toBeLessThan(0);
    expect(comparePositions({ ...at(1), speed: 4 }, at(1))).toBeGreaterThan(0);
    expect(comparePositions(at(1), at(1))).toBe(0);
  });
});

describe('NewestPositions', () => {
  it("rejects a late message older than the device's stored position, on the very first message", async () => {
    const { store, verdicts, newest } = setUp();
    store.positions.set('d', at(10_000));
    newest.judge('d', at(4_000), 'late');
    expect(verdicts).toEqual([]);
    await store.answer();
    newest.judge('d', at(11_000), 'newer');
    expect(verdicts).toEqual([
      ['late', false],
      ['newer', true],
    ]);
  });

  it('takes a message equal to the stored position as current: the store already counts it', async () => {
    const { store, verdicts, newest } = setUp();
    store.positions.set('d', at(10_000));
    newest.judge('d', at(10_000), 'first');
    await store.answer();
    // The same message on the other channel (or again) stays current; a tie at an earlier place does not.
    newest.judge('d', at(10_000), 'copy');
    newest.judge('d', at(10_000, 0.5), 'tie-behind');
    expect(verdicts).toEqual([
      ['first', true],
      ['copy', true],
      ['tie-behind', false],
    ]);
  });

  it('reads each device once, then keeps its newest from the messages', async () => {
    const { store, verdicts, newest } = setUp();
    store.positions.set('d', at(1_000));
    newest.judge('d', at(2_000), 'a');
    await store.answer();
    newest.judge('d', at(3_000), 'b');
    newest.judge('d', at(2_500), 'c');
    newest.judge('d', at(3_000), 'd');
    await flush();
    expect(store.lookups).toEqual([['d']]);
    expect(verdicts).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
      ['d', true],
    ]);
  });

  it('holds messages arriving during the read and judges them in arrival order', async () => {
    const { store, verdicts, newest } = setUp();
    store.positions.set('d', at(5_000));
    newest.judge('d', at(6_000), 'first');
    newest.judge('d', at(4_000), 'older');
    newest.judge('d', at(7_000), 'newest');
    newest.judge('d', at(6_500), 'between');
    expect(verdicts).toEqual([]);
    await store.answer();
    expect(store.lookups).toEqual([['d']]);
    expect(verdicts).toEqual([
      ['first', true],
      ['older', false],
      ['newest', true],
      ['between', false],
    ]);
  });

  it('reads devices first seen together in one lookup, at most maxLookupBatch each', async () => {
    const { store, settled, newest } = setUp({ maxLookupBatch: 2 });
    for (const id of ['a', 'b', 'c']) newest.judge(id, at(1), id);
    await flush();
    expect(store.lookups).toEqual([['a', 'b'], ['c']]);
    await store.answer();
    await store.answer();
    expect(settled).toEqual([
      { devices: 2, failed: false },
      { devices: 1, failed: false },
    ]);
  });

  it('takes every message of a device with no stored position until an older one comes', async () => {
    const { store, verdicts, newest } = setUp();
    newest.judge('new', at(2_000), 'first');
    await store.answer();
    newest.judge('new', at(1_000), 'older');
    expect(verdicts).toEqual([
      ['first', true],
      ['older', false],
    ]);
  });

  it('reads a forgotten device again before judging its next message', async () => {
    const { store, verdicts, newest } = setUp();
    store.positions.set('d', at(1_000));
    newest.judge('d', at(1_000), 'seen');
    await store.answer();
    newest.forget('d');
    // Meanwhile (unseen) a newer signal was stored.
    store.positions.set('d', at(9_000));
    newest.judge('d', at(5_000), 'late');
    await store.answer();
    expect(store.lookups).toHaveLength(2);
    expect(verdicts).toEqual([
      ['seen', true],
      ['late', false],
    ]);
  });

  it('reads again when the device was forgotten during its read', async () => {
    const { store, verdicts, newest } = setUp();
    store.positions.set('d', at(1_000));
    newest.judge('d', at(5_000), 'late');
    await flush();
    newest.forgetAll();
    store.positions.set('d', at(9_000));
    // The first answer predates what may have been missed: it is not used.
    await store.answer();
    expect(verdicts).toEqual([]);
    await store.answer();
    expect(store.lookups).toEqual([['d'], ['d']]);
    expect(verdicts).toEqual([['late', false]]);
  });

  it('forgets every device but those kept', async () => {
    const { store, newest } = setUp();
    newest.judge('keep', at(1), 'k');
    newest.judge('drop', at(1), 'd');
    await store.answer();
    newest.forgetAll((id) => id === 'keep');
    newest.judge('keep', at(2), 'k2');
    newest.judge('drop', at(2), 'd2');
    await flush();
    expect(store.lookups).toEqual([['keep', 'drop'], ['drop']]);
  });

  it('judges by messages alone after a failed read, and reads again once retryAfterMs passed', async () => {
    let now = 0;
    const { store, verdicts, settled, newest } = setUp({ now: () => now });
    store.positions.set('d', at(9_000));
    newest.judge('d', at(5_000), 'during-outage');
    await store.fail();
    newest.judge('d', at(4_000), 'older');
    now = 5_000;
    newest.judge('d', at(6_000), 'after-retry');
    await store.answer();
    expect(settled).toEqual([
      { devices: 1, failed: true },
      { devices: 1, failed: false },
    ]);
    expect(verdicts).toEqual([
      ['during-outage', true],
      ['older', false],
      ['after-retry', false],
    ]);
  });

  it('remembers at most maxDevices, forgetting the one judged longest ago', async () => {
    const { store, newest } = setUp({ maxDevices: 2 });
    newest.judge('a', at(1), 'a');
    newest.judge('b', at(1), 'b');
    await store.answer();
    newest.judge('a', at(2), 'a2');
    newest.judge('c', at(1), 'c');
    await store.answer();
    expect(newest.size).toBe(2);
    newest.judge('a', at(3), 'a3');
    newest.judge('b', at(2), 'b2');
    await flush();
    expect(store.lookups).toEqual([['a', 'b'], ['c'], ['b']]);
  });

  it('delivers the newest signal a correction reads, though older, and judges what follows against it', async () => {
    const { store, verdicts, newest } = setUp();
    store.positions.set('d', at(10));
    newest.judge('d', at(10), 'd10');
    await store.answer();
    // The signal ending at 10 was deleted: the one ending at 6 is the newest now.
    store.positions.set('d', at(6));
    store.newestItems.set('d', 'd6');
    newest.correct('d');
    await store.answer();
    newest.judge('d', at(5), 'late');
    newest.judge('d', at(7), 'd7');
    expect(verdicts).toEqual([
      ['d10', true],
      ['d6', true],
      ['late', false],
      ['d7', true],
    ]);
    expect(store.newestReads).toEqual(['d']);
  });

  it('reads again for a correction that arrives during a read, delivering only what is newest then', async () => {
    const { store, verdicts, newest } = setUp();
    store.positions.set('d', at(10));
    newest.judge('d', at(10), 'd10');
    await store.answer();
    store.positions.set('d', at(8));
    store.newestItems.set('d', 'd8');
    newest.correct('d');
    // The next newest is deleted too before the first read answers.
    newest.correct('d');
    store.positions.set('d', at(6));
    store.newestItems.set('d', 'd6');
    await store.answer();
    await store.answer();
    expect(verdicts).toEqual([
      ['d10', true],
      ['d6', true],
    ]);
    expect(store.newestReads).toEqual(['d', 'd']);
  });

  it('supersedes what arrived before a correction during a read, and judges what came after', async () => {
    const { store, verdicts, newest } = setUp();
    store.positions.set('d', at(10));
    newest.judge('d', at(10), 'removed');
    newest.correct('d');
    newest.judge('d', at(11), 'd11');
    // The stored lookup answers, then the correction's read: a signal ending at 11 is the newest.
    await store.answer();
    store.positions.set('d', at(11));
    store.newestItems.set('d', 'd11 read');
    await store.answer();
    expect(verdicts).toEqual([
      ['removed', false],
      ['d11 read', true],
      ['d11', true],
    ]);
  });

  it('after a failed correction read, drops what it superseded and judges by messages alone', async () => {
    const { store, verdicts, settled, newest } = setUp();
    store.positions.set('d', at(10));
    newest.judge('d', at(10), 'removed');
    newest.correct('d');
    await store.answer();
    await store.fail();
    newest.judge('d', at(4), 'd4');
    expect(verdicts).toEqual([
      ['removed', false],
      ['d4', true],
    ]);
    expect(settled.map((s) => s.failed)).toEqual([false, true]);
  });

  it('catches up the devices stored past their known newest, unless a newer item came first', async () => {
    const { store, verdicts, newest } = setUp();
    for (const id of ['a', 'b', 'c']) {
      store.positions.set(id, at(1));
      newest.judge(id, at(1), `${id}1`);
    }
    await store.answer();
    // Stored while items were missed: a and b moved on, c did not.
    store.positions.set('a', at(5));
    store.newestItems.set('a', 'a5');
    store.positions.set('b', at(6));
    store.newestItems.set('b', 'b6');
    newest.catchUp();
    // Stored (and published) while the catch-up reads: b's newest is past what it missed.
    store.positions.set('b', at(7));
    newest.judge('b', at(7), 'b7');
    await store.answer();
    await store.answer();
    expect(verdicts).toEqual([
      ['a1', true],
      ['b1', true],
      ['c1', true],
      ['b7', true],
      ['a5', true],
    ]);
    expect(store.newestReads).toEqual(['a']);
  });

  it('catches up a device set back while items were missed, and one left without a position', async () => {
    const { store, verdicts, newest } = setUp();
    for (const id of ['a', 'b']) {
      store.positions.set(id, at(9));
      newest.judge(id, at(9), `${id}9`);
    }
    await store.answer();
    // Both newest signals deleted while Redis was away: their correction notices were lost too.
    store.positions.set('a', at(4));
    store.newestItems.set('a', 'a4');
    store.positions.delete('b');
    newest.catchUp();
    await store.answer();
    await store.answer();
    await store.answer();
    newest.judge('b', at(2), 'b2');
    expect(verdicts).toEqual([
      ['a9', true],
      ['b9', true],
      ['a4', true],
      ['b2', true],
    ]);
    expect(store.newestReads).toEqual(['a', 'b']);
  });

  it('tries a failed correction read again after retryAfterMs, for a quiet device too', async () => {
    jest.useFakeTimers();
    try {
      const { store, verdicts, newest } = setUp();
      store.positions.set('d', at(9));
      store.newestItems.set('d', 'd9');
      newest.correct('d');
      await store.fail();
      expect(verdicts).toEqual([]);
      jest.advanceTimersByTime(5_000);
      await store.answer();
      expect(verdicts).toEqual([['d9', true]]);
      expect(store.newestReads).toEqual(['d', 'd']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('forgets the devices whose stored positions a catch-up could not read', async () => {
    const { store, verdicts, newest } = setUp();
    store.positions.set('a', at(5));
    newest.judge('a', at(5), 'a5');
    await store.answer();
    newest.catchUp();
    await store.fail();
    newest.judge('a', at(4), 'a4');
    await store.answer();
    expect(store.lookups).toEqual([['a'], ['a'], ['a']]);
    expect(verdicts).toEqual([
      ['a5', true],
      ['a4', false],
    ]);
  });
});
