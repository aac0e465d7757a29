import amqp, { type ChannelModel, type ConfirmChannel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from '../schema';
import {
  AMQP_HEADERS,
  PublishNotConfirmedError,
  XRAY_EXCHANGE,
  declareTopology,
  publishConfirmed,
  rawRoutingKeyFor,
} from '../schema';
import { DependencyUnavailableError, type RawXRayEnvelope, type RawXRayPublisher } from './intake.ports';

export interface BrokerPublisherOptions {
  amqpUrl: string;
  /** Longest wait for the broker's confirm of one message. */
  confirmTimeoutMs: number;
  /** Most body bytes published and not yet confirmed; past it a publish is refused at once. */
  maxUnconfirmedBytes: number;
  logger: Logger;
  /** Called whenever the publisher becomes able or unable to publish. */
  onAvailabilityChange?: (available: boolean) => void;
}

/** Reconnect backoff: quick first retries (a broker restart takes seconds), capped so recovery stays prompt. */
const RECONNECT_INITIAL_DELAY_MS = 200;
const RECONNECT_MAX_DELAY_MS = 5_000;
/** A connection attempt to a dead host must fail, not hang. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Publishes raw x-ray messages on a confirm channel and survives broker outages: amqplib's recovery reconnects
 * with exponential backoff and re-runs the set-up (confirm channel, topology) on every new connection. While there
 * is no usable channel every publish fails at once, so ingest answers 503 without holding requests.
 *
 * A publish resolves only on the broker's ack; a nack, a return (unroutable, `mandatory`), a closed channel or no
 * confirm within the timeout rejects it. A message that timed out may still land in the broker: the device resends
 * it, and the processor's idempotency key stores it once.
 */
export class BrokerRawXRayPublisher implements RawXRayPublisher {
  private channel: ConfirmChannel | null = null;
  private blocked = false;
  private closing = false;
  private readonly inFlight = new Set<Promise<void>>();
  /**
   * Body bytes published and not confirmed yet: they sit in amqplib's buffers until the broker takes
   * them, so a broker that stopped keeping up would otherwise make ingest hold every body sent to it.
   */
  private unconfirmedBytes = 0;

  private connection!: RecoveringChannelModel;

  private constructor(private readonly options: BrokerPublisherOptions) {}

  /** Starts connecting in the background; use {@link waitUntilAvailable} to wait for the first connection. */
  static async start(options: BrokerPublisherOptions): Promise<BrokerRawXRayPublisher> {
    const publisher = new BrokerRawXRayPublisher(options);
    publisher.connection = await amqp.connect(options.amqpUrl, {
      timeout: CONNECT_TIMEOUT_MS,
      recovery: {
        initialDelay: RECONNECT_INITIAL_DELAY_MS,
        maxDelay: RECONNECT_MAX_DELAY_MS,
        // Connect in the background: start-up decides how long to wait, and the set-up runs on every reconnect.
        waitForConnect: false,
        setup: (model: ChannelModel) => publisher.openChannel(model),
      },
    });
    publisher.watch();
    return publisher;
  }

  /** Whether a publish may succeed now: connected, with a confirm channel, and not blocked by the broker. */
  isAvailable(): boolean {
    return this.channel !== null && !this.blocked && !this.closing;
  }

  /** Resolves true once available, false if `timeoutMs` passed first. */
  waitUntilAvailable(timeoutMs: number): Promise<boolean> {
    if (this.isAvailable()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onConnect = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.connection.removeListener('connect', onConnect);
        resolve(this.isAvailable());
      }, timeoutMs);
      this.connection.once('connect', onConnect);
    });
  }

  publish(envelope: RawXRayEnvelope): Promise<void> {
    const channel = this.channel;
    if (this.closing) return Promise.reject(new DependencyUnavailableError('broker', 'ingest is shutting down'));
    if (!channel) return Promise.reject(new DependencyUnavailableError('broker', 'not connected to the broker'));
    if (this.blocked)
      return Promise.reject(new DependencyUnavailableError('broker', 'the broker blocked publishing (resource alarm)'));
    // One message always goes, however large: the bound is on what piles up behind it.
    if (this.unconfirmedBytes > 0 && this.unconfirmedBytes + envelope.body.length > this.options.maxUnconfirmedBytes)
      return Promise.reject(
        new DependencyUnavailableError(
          'broker',
          `the broker is not keeping up: ${this.unconfirmedBytes} bytes await its confirm`,
        ),
      );

    const bytes = envelope.body.length;
    this.unconfirmedBytes += bytes;
    const confirmed = publishConfirmed(
      channel,
      XRAY_EXCHANGE,
      rawRoutingKeyFor(envelope.deviceId),
      envelope.body,
      {
        persistent: true,
        messageId: envelope.messageId,
        correlationId: envelope.correlationId,
        contentType: 'application/json',
        timestamp: Math.floor(envelope.acceptedAt / 1000),
        appId: 'xrayiot-ingest',
        headers: {
          [AMQP_HEADERS.correlationId]: envelope.correlationId,
          [AMQP_HEADERS.deviceId]: envelope.deviceId,
          [AMQP_HEADERS.timestamp]: envelope.timestamp,
          [AMQP_HEADERS.nonce]: envelope.nonce,
          [AMQP_HEADERS.signature]: envelope.signature,
          [AMQP_HEADERS.acceptedAt]: envelope.acceptedAt,
        },
      },
      {
        mustRoute: true,
        timeoutMs: this.options.confirmTimeoutMs,
        // Counted until the broker settles it, not until the timeout: a body not confirmed in time
        // may still sit in amqplib's buffers.
        onBrokerSettled: () => {
          this.unconfirmedBytes -= bytes;
        },
      },
    ).catch((error: unknown) => {
      // publishConfirmed says why (nack, timeout, unroutable); the device's 503 is the same for all.
      const reason = error instanceof PublishNotConfirmedError ? error.message : 'publishing failed';
      throw new DependencyUnavailableError('broker', reason, { cause: error });
    });
    this.inFlight.add(confirmed);
    const forget = (): void => {
      this.inFlight.delete(confirmed);
    };
    confirmed.then(forget, forget);
    return confirmed;
  }

  /** Refuses new publishes, waits for the confirms of those in flight, then closes channel and connection. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inFlight]);
    const channel = this.channel;
    this.channel = null;
    if (channel) await channel.close().catch(() => undefined);
    await this.connection.close();
  }

  private async openChannel(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    await declareTopology(channel);
    channel.on('error', (error: Error) => this.options.logger.warn({ err: error }, 'broker channel error'));
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.setChannel(null);
      // A channel can close alone (e.g. a channel-level error); reopening the connection recovers both.
      if (!this.closing) {
        this.options.logger.warn('broker channel closed; reconnecting');
        model.close().catch(() => undefined);
      }
    });
    this.setChannel(channel);
  }

  private setChannel(channel: ConfirmChannel | null): void {
    const before = this.isAvailable();
    this.channel = channel;
    if (channel === null) this.blocked = false;
    const after = this.isAvailable();
    if (before !== after) this.options.onAvailabilityChange?.(after);
  }

  private watch(): void {
    const { logger } = this.options;
    this.connection.on('connect', () => logger.info('connected to the broker'));
    this.connection.on('disconnect', (error: Error) => {
      logger.warn({ err: error }, 'lost the broker connection; reconnecting');
      this.setChannel(null);
    });
    this.connection.on('connect-failed', (error: Error) =>
      logger.warn({ err: error }, 'could not connect to the broker'),
    );
    this.connection.on('reconnect-scheduled', ({ attempt, delay }: { attempt: number; delay: number }) =>
      logger.debug({ attempt, delayMs: delay }, 'broker reconnect scheduled'),
    );
    this.connection.on('error', (error: Error) => logger.warn({ err: error }, 'broker connection error'));
    this.connection.on('blocked', (reason: string) => {
      logger.warn({ reason }, 'the broker blocked publishing');
      const before = this.isAvailable();
      this.blocked = true;
      if (before) this.options.onAvailabilityChange?.(false);
    });
    this.connection.on('unblocked', () => {
      logger.info('the broker unblocked publishing');
      this.blocked = false;
      if (this.isAvailable()) this.options.onAvailabilityChange?.(true);
    });
  }
}
