import type { ApiError } from '../api/api-error';
import type { LiveClient, LiveSubscription } from '../api/live-client';
import { LiveSignalsSubscription } from '../api/operations';
import type { LiveSignalsSubscriptionVariables, LiveSignalsSubscription as LiveSignalsResult } from '../gql/graphql';

export type LiveSignal = LiveSignalsResult['signalProcessed'];

type SignalListener = (signal: LiveSignal) => void;

/**
 * The session's one `signalProcessed` subscription, shared by every view. On reconnect it resumes
 * with `since` = the greatest id received (an updated old signal arrives under its old id), so the
 * gateway replays what was missed, with no repeat. A signal that comes again is an update of it
 * (`updateSignal`): listeners get it again, to show it anew. A connection lost before any signal
 * arrived has nothing to resume from: then listeners are told to reload what they show instead.
 */
export class SignalFeed {
  private readonly listeners = new Set<SignalListener>();
  private readonly errorListeners = new Set<(error: ApiError) => void>();
  private readonly resyncListeners = new Set<() => void>();
  private unsubscribeReconnected: (() => void) | undefined;
  private unsubscribeRetryNow: (() => void) | undefined;
  private subscription: LiveSubscription<LiveSignalsSubscriptionVariables> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSignalId: string | null = null;

  constructor(private readonly live: LiveClient) {}

  start(): void {
    this.unsubscribeReconnected ??= this.live.onReconnected(() => {
      if (this.lastSignalId !== null) return;
      for (const listener of this.resyncListeners) listener();
    });
    // The user asked to retry: a subscription waiting to be made again is made now.
    this.unsubscribeRetryNow ??= this.live.onRetryNow(() => {
      if (this.retryTimer !== undefined) this.start();
    });
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
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

  /** Called after a reconnect that could not resume with `since`: what was shown may be missing signals. */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  onError(listener: (error: ApiError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.unsubscribeReconnected?.();
    this.unsubscribeReconnected = undefined;
    this.unsubscribeRetryNow?.();
    this.unsubscribeRetryNow = undefined;
    this.resyncListeners.clear();
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.listeners.clear();
    this.errorListeners.clear();
  }

  private receive(signal: LiveSignal): void {
    // Ids are same-length lowercase hex: string order is id order.
    if (this.lastSignalId === null || signal.id > this.lastSignalId) {
      this.lastSignalId = signal.id;
      if (this.subscription) this.subscription.variables.since = signal.id;
    }
    for (const listener of this.listeners) listener(signal);
  }
}
