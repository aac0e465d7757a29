import { silentLogger } from '../../schema';
import { KeySessions, type KeySession } from './key-sessions';

/** A session that records whether it was ended. */
function sessionOf(keyId: string): KeySession & { ended: number } {
  const session = {
    keyId,
    ended: 0,
    endRevoked() {
      session.ended += 1;
    },
  };
  return session;
}

/** A store whose revoked keys the test decides, counting the reads it answers. */
function storeWithRevoked(revoked: Set<string>) {
  const reads: Array<readonly string[]> = [];
  return {
    reads,
    revokedAmong: async (keyIds: readonly string[]): Promise<ReadonlySet<string>> => {
      reads.push(keyIds);
      return new Set(keyIds.filter((id) => revoked.has(id)));
    },
  };
}

describe('KeySessions', () => {
  it('ends every open session of a revoked key, and only those', () => {
    const sessions = new KeySessions({ revokedAmong: async () => new Set(), logger: silentLogger() });
    const first = sessionOf('a');
    const second = sessionOf('a');
    const other = sessionOf('b');
    for (const session of [first, second, other]) sessions.add(session);

    expect(sessions.endSessionsOf('a')).toBe(2);
    expect([first.ended, second.ended, other.ended]).toEqual([1, 1, 0]);
    expect(sessions.size).toBe(1);
    // Ended sessions are forgotten: revoking again ends nothing twice.
    expect(sessions.endSessionsOf('a')).toBe(0);
    expect(first.ended).toBe(1);
  });

  it('does not end a session that already left', () => {
    const sessions = new KeySessions({ revokedAmong: async () => new Set(), logger: silentLogger() });
    const closed = sessionOf('a');
    const open = sessionOf('a');
    const leave = sessions.add(closed);
    sessions.add(open);
    leave();
    leave();

    expect(sessions.endSessionsOf('a')).toBe(1);
    expect([closed.ended, open.ended]).toEqual([0, 1]);
  });

  it('keeps ending the other sessions when one fails to end', () => {
    const sessions = new KeySessions({ revokedAmong: async () => new Set(), logger: silentLogger() });
    const failing: KeySession = {
      keyId: 'a',
      endRevoked() {
        throw new Error('socket gone');
      },
    };
    const healthy = sessionOf('a');
    sessions.add(failing);
    sessions.add(healthy);

    expect(sessions.endSessionsOf('a')).toBe(2);
    expect(healthy.ended).toBe(1);
  });

  it('sweeps: ends the sessions of keys revoked elsewhere, asking about every open key in one read', async () => {
    const store = storeWithRevoked(new Set(['revoked']));
    const sessions = new KeySessions({ revokedAmong: store.revokedAmong, logger: silentLogger() });
    const doomed = sessionOf('revoked');
    const kept = sessionOf('working');
    sessions.add(doomed);
    sessions.add(kept);
    sessions.add(sessionOf('working'));

    expect(await sessions.sweep()).toBe(1);
    expect(store.reads).toEqual([['revoked', 'working']]);
    expect([doomed.ended, kept.ended]).toEqual([1, 0]);
    expect(sessions.size).toBe(2);
  });

  it('reads nothing when no session is open', async () => {
    const store = storeWithRevoked(new Set());
    const sessions = new KeySessions({ revokedAmong: store.revokedAmong, logger: silentLogger() });
    expect(await sessions.sweep()).toBe(0);
    expect(store.reads).toEqual([]);
  });

  it('joins a sweep in flight instead of reading again', async () => {
    const store = storeWithRevoked(new Set(['revoked']));
    const sessions = new KeySessions({ revokedAmong: store.revokedAmong, logger: silentLogger() });
    sessions.add(sessionOf('revoked'));

    const [first, second] = await Promise.all([sessions.sweep(), sessions.sweep()]);
    expect([first, second]).toEqual([1, 1]);
    expect(store.reads).toHaveLength(1);
  });

  it('keeps sessions open when the store cannot answer, and ends them at the next sweep that can', async () => {
    let storeUp = false;
    const sessions = new KeySessions({
      revokedAmong: async (keyIds) => {
        if (!storeUp) throw new Error('store unreachable');
        return new Set(keyIds);
      },
      logger: silentLogger(),
    });
    const session = sessionOf('revoked');
    sessions.add(session);

    expect(await sessions.sweep()).toBe(0);
    expect(session.ended).toBe(0);
    storeUp = true;
    expect(await sessions.sweep()).toBe(1);
    expect(session.ended).toBe(1);
  });
});
