import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient } from 'graphql-ws';
import type { Client, FormattedExecutionResult } from 'graphql-ws';
import { ApiError, apiErrorCodeOf, REJECTED_KEY_MESSAGE } from './api-error';
import { documentText } from './document-text';

/** What the connection indicator shows. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'rejected';

/** Close code the gateway uses for a refused API key (graphql-ws `Forbidden`). */
const CLOSE_KEY_REJECTED = 4403;
/** graphql-ws `Unauthorized`. */
const CLOSE_UNAUTHORIZED = 4401;
/** Failed attempts in a row after which the indicator says offline (it keeps retrying). */
const ATTEMPTS_BEFORE_OFFLINE = 3;
const PING_INTERVAL_MS = 10_000;
const PONG_TIMEOUT_MS = 5_000;

export interface LiveSink<Result> {
  next(data: Result): void;
  error(error: ApiError): void;
}

/** Live subscriptions over graphql-ws, with the session's key and an observable connection status. */
export interface LiveClient {
  subscribe<Result, Variables extends Record<string, unknown>>(
    document: TypedDocumentNode<Result, Variables>,
    variables: Variables,
    sink: LiveSink<Result>,
  ): LiveSubscription<Variables>;
  status(): LiveStatus;
  onStatus(listener: (status: LiveStatus) => void): () => void;
  /** Called each time the connection is back after a loss (not on the first connect). */
  onReconnected(listener: () => void): () => void;
  /**
   * Reconnects at once instead of waiting for the next retry, and tells `onRetryNow` listeners, whose
   * ended subscriptions wait to be made again (once graphql-ws gave up after a fatal close, making
   * one again is what reconnects).
   */
  reconnectNow(): void;
  /** Called when the user asks to retry now. */
  onRetryNow(listener: () => void): () => void;
  dispose(): void;
}

export interface LiveSubscription<Variables> {
  /**
   * The variables graphql-ws sends when it (re)subscribes. graphql-ws serialises the subscribe
   * payload anew on every reconnect, so updating them (e.g. `since`) makes a resumed subscription
   * start where this one stopped.
   */
  readonly variables: Variables;
  unsubscribe(): void;
}

export interface LiveClientOptions {
  url: string;
  apiKey: string;
  onKeyRejected?: () => void;
}

function isCloseEvent(value: unknown): value is { code: number; reason?: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'code' in value &&
    typeof (value as { code: unknown }).code === 'number'
  );
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (Array.isArray(error)) {
    const first = error[0] as { message?: string; extensions?: Record<string, unknown> } | undefined;
    // The gateway's hint (RATE_LIMITED, DEPENDENCY_UNAVAILABLE), in milliseconds.
    const retryAfterMs = first?.extensions?.['retryAfterMs'];
    return new ApiError(
      apiErrorCodeOf(first),
      first?.message ?? 'The live subscription failed.',
      typeof retryAfterMs === 'number' && retryAfterMs >= 0 ? Math.ceil(retryAfterMs / 1000) : undefined,
    );
  }
  if (isCloseEvent(error)) {
    if (error.code === CLOSE_KEY_REJECTED || error.code === CLOSE_UNAUTHORIZED) {
      return new ApiError('UNAUTHENTICATED', REJECTED_KEY_MESSAGE);
    }
    return new ApiError(
      'NETWORK',
      `The live connection closed (${error.code}${error.reason ? `: ${error.reason}` : ''}).`,
    );
  }
  return new ApiError('NETWORK', error instanceof Error ? error.message : 'The live connection failed.');
}

/** `ws:`/`wss:` URL of `path` on the page's own origin. */
export function sameOriginWebSocketUrl(path: string, location: Location = window.location): string {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export function createLiveClient(options: LiveClientOptions): LiveClient {
  const listeners = new Set<(status: LiveStatus) => void>();
  const reconnectedListeners = new Set<() => void>();
  const retryNowListeners = new Set<() => void>();
  let everConnected = false;
  let status: LiveStatus = 'connecting';
  let failuresInRow = 0;
  let disposed = false;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  let wakeRetry: (() => void) | undefined;

  const setStatus = (next: LiveStatus): void => {
    if (status === next || (status === 'rejected' && next !== 'rejected')) return;
    status = next;
    for (const listener of listeners) listener(next);
  };

  const client: Client = createClient({
    url: options.url,
    connectionParams: { apiKey: options.apiKey },
    lazy: false,
    keepAlive: PING_INTERVAL_MS,
    retryAttempts: Number.POSITIVE_INFINITY,
    // A refused key stays refused; everything else (network, restarts) is worth retrying.
    shouldRetry: (event) =>
      !(isCloseEvent(event) && (event.code === CLOSE_KEY_REJECTED || event.code === CLOSE_UNAUTHORIZED)),
    retryWait: (retries) =>
      new Promise<void>((resolve) => {
        const delay = Math.min(10_000, 500 * 2 ** retries) + Math.random() * 500;
        const timer = setTimeout(done, delay);
        function done(): void {
          clearTimeout(timer);
          wakeRetry = undefined;
          resolve();
        }
        wakeRetry = done;
      }),
    onNonLazyError: (error) => {
      if (isCloseEvent(error) && (error.code === CLOSE_KEY_REJECTED || error.code === CLOSE_UNAUTHORIZED)) return;
      setStatus('offline');
    },
    on: {
      connecting: (isRetry) =>
        setStatus(isRetry ? (failuresInRow >= ATTEMPTS_BEFORE_OFFLINE ? 'offline' : 'reconnecting') : 'connecting'),
      connected: () => {
        failuresInRow = 0;
        setStatus('live');
        if (everConnected) for (const listener of reconnectedListeners) listener();
        everConnected = true;
      },
      ping: (received) => {
        if (received) return;
        // A socket cut without a FIN (a dropped network) never closes by itself: give up on it
        // when the gateway does not answer a ping, so the client reconnects and resumes.
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => client.terminate(), PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
      closed: (event) => {
        clearTimeout(pongTimer);
        if (disposed) return;
        if (isCloseEvent(event) && (event.code === CLOSE_KEY_REJECTED || event.code === CLOSE_UNAUTHORIZED)) {
          setStatus('rejected');
          options.onKeyRejected?.();
          return;
        }
        failuresInRow += 1;
        setStatus(failuresInRow >= ATTEMPTS_BEFORE_OFFLINE || !navigator.onLine ? 'offline' : 'reconnecting');
      },
    },
  });

  const onBrowserOnline = (): void => wakeRetry?.();
  window.addEventListener('online', onBrowserOnline);

  return {
    subscribe(document, variables, sink) {
      const payload = { query: documentText(document), variables: { ...variables } };
      const unsubscribe = client.subscribe<Record<string, unknown>>(payload, {
        next: (result: FormattedExecutionResult<Record<string, unknown>, unknown>) => {
          if (result.errors?.length) {
            // Reported as the subscription's end: ended here too, or a retry would run beside it.
            unsubscribe();
            sink.error(toApiError(result.errors));
            return;
          }
          if (result.data) sink.next(result.data as never);
        },
        error: (error: unknown) => sink.error(toApiError(error)),
        complete: () => undefined,
      });
      return { variables: payload.variables, unsubscribe };
    },
    status: () => status,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onReconnected(listener) {
      reconnectedListeners.add(listener);
      return () => reconnectedListeners.delete(listener);
    },
    reconnectNow() {
      wakeRetry?.();
      for (const listener of [...retryNowListeners]) listener();
    },
    onRetryNow(listener) {
      retryNowListeners.add(listener);
      return () => retryNowListeners.delete(listener);
    },
    dispose() {
      disposed = true;
      clearTimeout(pongTimer);
      window.removeEventListener('online', onBrowserOnline);
      listeners.clear();
      reconnectedListeners.clear();
      retryNowListeners.clear();
      void client.dispose();
    },
  };
}
