import type { ApiError } from '../api/api-error';
import type { LiveClient, LiveSubscription } from '../api/live-client';
import { LiveSignalsSubscription } from '../api/operations';
import type { LiveSignalsSubscriptionVariables, LiveSignalsSubscription as LiveSignalsResult } from '../gql/graphql';
import { RecentIds } from './recent-ids';

export type LiveSignal = LiveSignalsResult['signalProcessed'];

type SignalListener = (signal: LiveSignal) => void;

/**
 * The session's one `signalProcessed` subscription, shared by every view. On reconnect it resumes
 * with `since` = the id of the last signal received, so the gateway replays what was missed; ids
 * already delivered are dropped, so nothing shows twice.
 */
export class SignalFeed {
  private readonly listeners = new Set<SignalListener>();
  private readonly errorListeners = new Set<(error: ApiError) => void>();
  private readonly seen = new RecentIds();
  private subscription: LiveSubscription<LiveSignalsSubscriptionVariables> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSignalId: string | null = null;

  constructor(private readonly live: LiveClient) {}

  start(): void {
    if (this.subscription) return;
    this.subscription = this.live.subscribe(
      LiveSignalsSubscription,
      { since: this.lastSignalId },
      {
        next: (data) => this.receive(data.signalProcessed),
        error: (error) => {
          this.subscription = undefined;
          for (const listener of this.errorListeners) listener(error);
          if (error.code === 'UNAUTHENTICATED') return;
          // A subscription the gateway refused (e.g. rate limit) is asked for again, from where it stopped.
          this.retryTimer = setTimeout(() => this.start(), (error.retryAfterSeconds ?? 5) * 1000);
        },
      },
    );
  }

  /** The id of the last signal received, the `since` of the next resume. */
  get lastId(): string | null {
    return this.lastSignalId;
  }

  onSignal(listener: SignalListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onError(listener: (error: ApiError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.listeners.clear();
    this.errorListeners.clear();
  }

  private receive(signal: LiveSignal): void {
    if (!this.seen.add(signal.id)) return;
    this.lastSignalId = signal.id;
    if (this.subscription) this.subscription.variables.since = signal.id;
    for (const listener of this.listeners) listener(signal);
  }
}
