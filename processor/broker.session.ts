import amqp, {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type RecoveringChannelModel,
} from 'amqplib';
import { COMMAND_QUEUE, declareTopology, RAW_QUEUE, type Logger } from '../schema';

/** Builds a message handler for the channels of one connection. */
export type HandlerFactory = (
  consumeChannel: Channel,
  publishChannel: ConfirmChannel,
) => (message: ConsumeMessage) => Promise<void>;

export interface BrokerSessionOptions {
  amqpUrl: string;
  prefetch: number;
  logger: Logger;
  raw: HandlerFactory;
  command: HandlerFactory;
}

const RECONNECT_INITIAL_DELAY_MS = 200;
const RECONNECT_MAX_DELAY_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** Cancels closer than this to each other back off (see `nextCancelDelay`). */
const CANCEL_STREAK_MS = 60_000;
const CANCEL_FIRST_DELAY_MS = 1_000;
const CANCEL_MAX_DELAY_MS = 30_000;

/**
 * The processor's broker connection: consumes the raw and command queues and reconnects (amqplib
 * recovery) after an outage, re-declaring the topology and re-subscribing. Messages in flight on a
 * lost connection are redelivered by the broker; exactly-once storage makes that harmless.
 */
export class BrokerSession {
  private current: { consumeChannel: Channel; publishChannel: ConfirmChannel; consumerTags: string[] } | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private lastCancelAt = 0;
  private cancelDelayMs = 0;

  private constructor(
    private readonly connection: RecoveringChannelModel,
    private readonly options: BrokerSessionOptions,
  ) {}

  /** Connects (waiting for the first connection) and starts consuming. */
  static async start(options: BrokerSessionOptions): Promise<BrokerSession> {
    let session: BrokerSession | undefined;
    const connection = await amqp.connect(options.amqpUrl, {
      timeout: CONNECT_TIMEOUT_MS,
      recovery: {
        initialDelay: RECONNECT_INITIAL_DELAY_MS,
        maxDelay: RECONNECT_MAX_DELAY_MS,
        waitForConnect: false,
        setup: async (model: ChannelModel) => {
          if (!session) throw new Error('broker session not constructed yet');
          await session.subscribe(model);
        },
      },
    });
    session = new BrokerSession(connection, options);
    session.watch();
    await connection.waitForConnect();
    return session;
  }

  /** Whether the session is connected and consuming. */
  isConsuming(): boolean {
    return this.current !== null;
  }

  /** Stops consuming, waits for in-flight messages to be settled and acknowledged, then disconnects. */
  async close(): Promise<void> {
    this.stopping = true;
    const current = this.current;
    if (current) {
      for (const tag of current.consumerTags) await current.consumeChannel.cancel(tag).catch(() => undefined);
    }
    await Promise.allSettled([...this.inFlight]);
    this.current = null;
    if (current) {
      await current.publishChannel.close().catch(() => undefined);
      await current.consumeChannel.close().catch(() => undefined);
    }
    await this.connection.close().catch(() => undefined);
  }

  private async subscribe(model: ChannelModel): Promise<void> {
    if (this.stopping) return;
    const consumeChannel = await model.createChannel();
    const publishChannel = await model.createConfirmChannel();
    await declareTopology(consumeChannel);
    await consumeChannel.prefetch(this.options.prefetch);
    const reconnect = (why: string, delayMs = 0): void => {
      if (this.current?.consumeChannel !== consumeChannel) return;
      this.current = null;
      // Reopening the connection recovers both channels: recovery declares the topology again and
      // consumes anew.
      if (!this.stopping) {
        this.options.logger.warn({ delayMs }, `${why}; reconnecting`);
        setTimeout(() => void model.close().catch(() => undefined), delayMs);
      }
    };
    // A channel can close alone (a channel-level error).
    const reconnectOnClose = (): void => reconnect('broker channel closed');
    for (const channel of [consumeChannel, publishChannel]) {
      channel.on('error', (error: Error) => this.options.logger.warn({ err: error }, 'broker channel error'));
      channel.on('close', reconnectOnClose);
    }
    const track = (handler: (message: ConsumeMessage) => Promise<void>) => (message: ConsumeMessage | null) => {
      // The broker cancelled the consumer (its queue was deleted, or its node went away): the channel
      // stays open, so nothing else would ever consume again.
      if (message === null) {
        reconnect('the broker cancelled a consumer', this.nextCancelDelay());
        return;
      }
      const work = handler(message).catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'unexpected error while settling a message'),
      );
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    };
    // Current before consuming, so a consumer cancelled before the other is attached is not missed.
    const current = { consumeChannel, publishChannel, consumerTags: [] as string[] };
    this.current = current;
    const raw = await consumeChannel.consume(RAW_QUEUE, track(this.options.raw(consumeChannel, publishChannel)));
    current.consumerTags.push(raw.consumerTag);
    const command = await consumeChannel.consume(
      COMMAND_QUEUE,
      track(this.options.command(consumeChannel, publishChannel)),
    );
    current.consumerTags.push(command.consumerTag);
  }

  /**
   * How long to wait before reconnecting after a cancelled consumer: at once the first time, then
   * from 1 s doubling to 30 s while cancels keep coming within a minute of each other (a queue that
   * is cancelled again as soon as it is consumed would otherwise reconnect several times a second).
   */
  private nextCancelDelay(): number {
    const now = Date.now();
    this.cancelDelayMs =
      now - this.lastCancelAt < CANCEL_STREAK_MS
        ? Math.min(CANCEL_MAX_DELAY_MS, Math.max(CANCEL_FIRST_DELAY_MS, this.cancelDelayMs * 2))
        : 0;
    this.lastCancelAt = now;
    return this.cancelDelayMs;
  }

  private watch(): void {
    const { logger } = this.options;
    this.connection.on('connect', () => logger.info('connected to the broker'));
    this.connection.on('disconnect', (error: Error) => {
      this.current = null;
      if (!this.stopping) logger.warn({ err: error }, 'lost the broker connection; reconnecting');
    });
    this.connection.on('connect-failed', (error: Error) =>
      logger.warn({ err: error }, 'could not connect to the broker'),
    );
    this.connection.on('error', (error: Error) => logger.warn({ err: error }, 'broker connection error'));
  }
}
