import type { Logger } from '../../schema';

/**
 * Something long-lived that authenticated with an API key once, at its start (a websocket
 * connection), and so must be ended when that key is revoked.
 */
export interface KeySession {
  /** Id of the key the session authenticated with. */
  readonly keyId: string;
  /** Ends the session because its key no longer authenticates. Called at most once. */
  endRevoked(): void;
}

export interface KeySessionsOptions {
  /** Of `keyIds`, those that no longer authenticate: one store read for all, never a cached answer. */
  revokedAmong(keyIds: readonly string[]): Promise<ReadonlySet<string>>;
  logger: Logger;
}

/**
 * The open sessions of each API key, so that revoking a key ends them. A revocation made through
 * this replica ends its sessions at once (`endSessionsOf`); one made elsewhere (another replica,
 * the CLI) is found by `sweep`, which asks the store about every key with an open session in one
 * read. Sweeping every API-key cache TTL gives open sessions the same bound HTTP requests have.
 */
export class KeySessions {
  private readonly sessionsByKey = new Map<string, Set<KeySession>>();
  private readonly logger: Logger;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepInFlight: Promise<number> | undefined;

  constructor(private readonly options: KeySessionsOptions) {
    this.logger = options.logger.child({ component: 'key-sessions' });
  }

  /** Open sessions, all keys together. */
  get size(): number {
    let open = 0;
    for (const sessions of this.sessionsByKey.values()) open += sessions.size;
    return open;
  }

  /** Registers an open session; the returned function unregisters it (call it when it closes). */
  add(session: KeySession): () => void {
    let sessions = this.sessionsByKey.get(session.keyId);
    if (!sessions) {
      sessions = new Set();
      this.sessionsByKey.set(session.keyId, sessions);
    }
    sessions.add(session);
    return () => this.remove(session);
  }

  /** Ends every open session of `keyId` (the key was just revoked); returns how many it ended. */
  endSessionsOf(keyId: string): number {
    const sessions = this.sessionsByKey.get(keyId);
    if (!sessions) return 0;
    this.sessionsByKey.delete(keyId);
    for (const session of sessions) {
      try {
        session.endRevoked();
      } catch (error) {
        this.logger.error({ err: error, keyId }, 'ending a session of a revoked API key failed');
      }
    }
    this.logger.info({ keyId, sessions: sessions.size }, 'ended the open sessions of a revoked API key');
    return sessions.size;
  }

  /**
   * Asks the store which keys with open sessions no longer authenticate and ends their sessions;
   * resolves with how many it ended. A sweep already running is joined rather than repeated. When
   * the store cannot answer, sessions stay open (an outage must not cut every dashboard) until a
   * later sweep succeeds.
   */
  sweep(): Promise<number> {
    this.sweepInFlight ??= this.sweepOnce().finally(() => {
      this.sweepInFlight = undefined;
    });
    return this.sweepInFlight;
  }

  /** Sweeps every `intervalMs` until `stop`. */
  startSweeping(intervalMs: number): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = setInterval(() => void this.sweep(), intervalMs);
    // Sessions keep the process alive, not their sweep.
    this.sweepTimer.unref();
  }

  /** Stops sweeping and waits for a sweep in flight (before the store it reads is closed). */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.sweepInFlight;
  }

  private async sweepOnce(): Promise<number> {
    const keyIds = [...this.sessionsByKey.keys()];
    if (keyIds.length === 0) return 0;
    let revoked: ReadonlySet<string>;
    try {
      revoked = await this.options.revokedAmong(keyIds);
    } catch (error) {
      this.logger.warn(
        { err: error },
        'could not check the API keys of open sessions; checking again at the next sweep',
      );
      return 0;
    }
    let ended = 0;
    for (const keyId of revoked) ended += this.endSessionsOf(keyId);
    return ended;
  }

  private remove(session: KeySession): void {
    const sessions = this.sessionsByKey.get(session.keyId);
    if (!sessions?.delete(session)) return;
    if (sessions.size === 0) this.sessionsByKey.delete(session.keyId);
  }
}
