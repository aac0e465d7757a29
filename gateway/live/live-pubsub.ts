import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import { type Logger, withTimeout } from '../../schema';
import { DependencyUnavailableError } from '../errors/gateway-errors';

/**
 * Longest wait for Redis to confirm a SUBSCRIBE. While Redis is away ioredis queues commands until
 * it is back, so a new subscription would otherwise hang, holding its connection's slot, with no
 * word to the client.
 */
export const SUBSCRIBE_TIMEOUT_MS = 5_000;

/**
 * Topics of the live pub/sub as type-graphql sees them: `subscribe(topic, deviceId)` listens on
 * `<topic>:<deviceId>`, `subscribe(topic)` on `<topic>` (see schema/channels.ts). Payloads are
 * the processor's JSON events, parsed but not yet validated (`null` when unparseable).
 */
export type LiveTopics = Record<string, [unknown] | [string, unknown]>;

/** Called with the parsed JSON of each message on a channel (`null` when it was not JSON). */
export type LiveListener = (payload: unknown, channel: string) => void;

export interface LivePubSubOptions {
  redisUrl: string;
  /** `XRAY_NAMESPACE`; only used for log context. */
  namespace: string;
  logger: Logger;
}

/**
 * The gateway's one Redis subscriber connection and the channels on it.
 * Every channel is SUBSCRIBEd once however many subscribers listen on it.
 */
export interface LivePubSub {
  /** type-graphql's PubSub shape over the same Redis event target. */
  pubSub: PubSub<LiveTopics>;
  /**
   * Adds `listener` to each channel and resolves once Redis confirmed every SUBSCRIBE, so an
   * event published after this resolves is delivered. Returns the function that removes it.
   * Rejects with DEPENDENCY_UNAVAILABLE when Redis does not confirm within {@link SUBSCRIBE_TIMEOUT_MS}.
   */
  listen(channels: readonly string[], listener: LiveListener): Promise<() => void>;
  /**
   * Calls `onGap` whenever the subscriber connection came back after a loss: events published
   * meanwhile were missed. Returns the function that removes it.
   */
  onGap(onGap: () => void): () => void;
  /** Resolves when the subscriber connection answers PING within `timeoutMs` (readiness). */
  ping(timeoutMs: number): Promise<boolean>;
  /** Closes both Redis connections. Listeners should be removed first. */
  close(): Promise<void>;
}

/** Parses message bodies as the processor writes them (plain `JSON.stringify`); never throws. */
function tolerantJsonSerializer(logger: Logger): {
  stringify(message: unknown): string;
  parse(message: string): unknown;
} {
  return {
    stringify: (message) => JSON.stringify(message),
    parse: (message) => {
      try {
        return JSON.parse(message) as unknown;
      } catch {
        // A throw here would abort delivery to every other listener of the channel.
        logger.warn({ bytes: message.length }, 'live: ignored a non-JSON message');
        return null;
      }
    },
  };
}

/**
 * Creates the gateway's live pub/sub on `@graphql-yoga/redis-event-target` (ioredis 5).
 *
 * redis-event-target publishes `JSON.stringify(payload)` on the topic as channel and parses each
 * message with `JSON.parse` (an empty message becomes `null`), which is exactly what the
 * processor's `PUBLISH <channel> <json>` produces.
 */
export function createLivePubSub(options: LivePubSubOptions): LivePubSub {
  const logger = options.logger.child({ component: 'live-pubsub', namespace: options.namespace });
  // The gateway never publishes in production; the publisher connects only if something does.
  const publishClient = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(options.redisUrl, { autoResubscribe: true, maxRetriesPerRequest: null });
  const gapListeners = new Set<() => void>();
  let hadConnection = false;
  let lostConnection = false;
  let closing = false;

  subscribeClient.on('error', (error: Error) => logger.warn({ err: error.message }, 'live: redis subscriber error'));
  publishClient.on('error', (error: Error) => logger.warn({ err: error.message }, 'live: redis publisher error'));
  subscribeClient.on('close', () => {
    if (hadConnection && !closing) lostConnection = true;
  });
  subscribeClient.on('ready', () => {
    hadConnection = true;
    if (!lostConnection) return;
    lostConnection = false;
    // ioredis emits 'ready' just before it re-SUBSCRIBEs; a PING sent after those commands
    // answers once the channels are live again, and only then may recovery read the database.
    setImmediate(() => {
      subscribeClient.ping().then(
        () => {
          logger.warn('live: redis subscriber reconnected; subscribers recover from the database');
          for (const onGap of gapListeners) onGap();
        },
        (error: Error) => logger.warn({ err: error.message }, 'live: redis subscriber lost again while resubscribing'),
      );
    });
  });

  // redis-event-target fires SUBSCRIBE/UNSUBSCRIBE without awaiting them; a rejection there
  // (connection closing) would be unhandled, so the calls it makes are wrapped.
  const quietSubscriber = {
    on: subscribeClient.on.bind(subscribeClient),
    subscribe: (...channels: string[]) =>
      subscribeClient.subscribe(...channels).catch((error: Error) => {
        logger.warn({ err: error.message, channels }, 'live: SUBSCRIBE failed');
      }),
    unsubscribe: (...channels: string[]) =>
      subscribeClient.unsubscribe(...channels).catch((error: Error) => {
        if (!closing) logger.warn({ err: error.message, channels }, 'live: UNSUBSCRIBE failed');
      }),
  } as unknown as Redis;

  const eventTarget = createRedisEventTarget<CustomEvent>({
    publishClient,
    subscribeClient: quietSubscriber,
    serializer: tolerantJsonSerializer(logger),
  });
  const pubSub = createPubSub<LiveTopics>({ eventTarget });

  return {
    pubSub,
    async listen(channels, listener) {
      if (channels.length === 0) return () => undefined;
      const callbacks = channels.map((channel) => {
        const callback = (event: Event): void => listener((event as CustomEvent<unknown>).detail, channel);
        eventTarget.addEventListener(channel, callback);
        return { channel, callback };
      });
      const remove = (): void => {
        for (const { channel, callback } of callbacks) eventTarget.removeEventListener(channel, callback);
      };
      try {
        // SUBSCRIBE is idempotent; awaiting our own confirms the channel is live on this connection.
        await withTimeout(subscribeClient.subscribe(...channels), SUBSCRIBE_TIMEOUT_MS);
      } catch (error) {
        remove();
        logger.warn({ err: error, channels: channels.length }, 'live: SUBSCRIBE not confirmed');
        throw new DependencyUnavailableError('live updates are unavailable right now; subscribe again shortly', {
          retryAfterMs: 1_000,
        });
      }
      return remove;
    },
    onGap(onGap) {
      gapListeners.add(onGap);
      return () => gapListeners.delete(onGap);
    },
    async ping(timeoutMs) {
      return withTimeout(subscribeClient.ping(), timeoutMs).then(
        () => true,
        () => false,
      );
    },
    async close() {
      closing = true;
      gapListeners.clear();
      await Promise.allSettled([
        subscribeClient.quit().catch(() => subscribeClient.disconnect()),
        publishClient.status === 'wait'
          ? publishClient.disconnect()
          : publishClient.quit().catch(() => publishClient.disconnect()),
      ]);
    },
  };
}
