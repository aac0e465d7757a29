import { createClient, type Client, type ExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/** One subscription's results as they arrive, awaitable in order. */
export interface CollectedSubscription<T> {
  /** Data of every `next` so far. */
  readonly received: T[];
  /** Resolves with the data of `count` results (the first `count` overall). */
  take(count: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves with the errors the subscription ended with (error message or errors in a result). */
  failure(timeoutMs?: number): Promise<ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>>;
  /** Resolves once the operation completed or failed, with its errors (empty when none). */
  settled(timeoutMs?: number): Promise<ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>>;
  /** Completes the subscription. */
  stop(): void;
}

/** A graphql-ws client authenticated by `connectionParams.apiKey`, never retrying. */
export function connectLive(wsUrl: string, apiKey: string | undefined): Client & { closeCodes: number[] } {
  const closeCodes: number[] = [];
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: apiKey === undefined ? {} : { apiKey },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: {
      closed: (event) => {
        closeCodes.push((event as { code: number }).code);
      },
    },
  });
  return Object.assign(client, { closeCodes });
}

/** Starts a subscription on `client` and collects its results. */
export function collect<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): CollectedSubscription<T> {
  const received: T[] = [];
  let errors: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }> | undefined;
  let completed = false;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (result: ExecutionResult<T>) => {
        if (result.errors) errors = result.errors as typeof errors;
        else if (result.data) received.push(result.data);
        wake();
      },
      error: (error: unknown) => {
        errors = Array.isArray(error)
          ? (error as typeof errors)
          : [
              {
                message:
                  error instanceof Error ? error.message : String((error as { reason?: string }).reason ?? error),
              },
            ];
        wake();
      },
      complete: () => {
        completed = true;
        wake();
      },
    },
  );
  const until = (description: string, ready: () => boolean, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (ready()) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${description} (received ${received.length}, errors ${JSON.stringify(errors)})`,
          ),
        );
      }, timeoutMs);
      const check = (): void => {
        if (!ready()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
    });
  return {
    received,
    async take(count, timeoutMs = 20_000) {
      await until(`${count} results`, () => received.length >= count || errors !== undefined, timeoutMs);
      if (received.length < count)
        throw new Error(`subscription failed after ${received.length} results: ${JSON.stringify(errors)}`);
      return received.slice(0, count);
    },
    async failure(timeoutMs = 20_000) {
      await until('an error', () => errors !== undefined, timeoutMs);
      return errors ?? [];
    },
    async settled(timeoutMs = 20_000) {
      await until('completion', () => completed || errors !== undefined, timeoutMs);
      return errors ?? [];
    },
    stop,
  };
}

/** Opens a raw socket, sends connection_init with `payload` and resolves with the close code. */
export function closeCodeOfConnectionInit(wsUrl: string, payload: Record<string, unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('message', () => reject(new Error('the server acknowledged the connection')));
    socket.on('close', (code) => resolve(code));
    socket.on('error', reject);
  });
}
