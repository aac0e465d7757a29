import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import {
  AMQP_HEADERS,
  commandRoutingKeyFor,
  declareTopology,
  XRAY_EXCHANGE,
  type SignalCommand,
  type SignalCommandReply,
} from '../../schema';
import { DependencyUnavailableError, InternalServerError } from '../errors/gateway-errors';

/** Sends a command to the processor and resolves with its answer. */
export interface SignalCommandSender {
  send(command: SignalCommand, correlationId: string): Promise<SignalCommandReply>;
}

/** The RabbitMQ pseudo-queue of direct reply-to: answers come back on the publishing channel. */
const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
/** amqplib's error for a publish the broker nacked. */
const NACKED = 'message nacked';

/** A command sent whose answer can no longer come: it may have been applied. */
function connectionLostError(): InternalServerError {
  return new InternalServerError(
    'the connection to the processing service was lost; the change may or may not have been applied',
    { reason: 'COMMAND_CONNECTION_LOST' },
  );
}

interface Pending {
  resolve(reply: SignalCommandReply): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Link {
  connection: ChannelModel;
  channel: ConfirmChannel;
}

function isReply(value: unknown): value is SignalCommandReply {
  if (typeof value !== 'object' || value === null) return false;
  const reply = value as Record<string, unknown>;
  if (reply.ok === true) return typeof reply.signalId === 'string';
  return reply.ok === false && typeof reply.code === 'string' && typeof reply.message === 'string';
}

/**
 * Commands over RabbitMQ with direct reply-to. Connects on first use and again after a lost
 * connection, so the gateway serves queries while the broker is away. A command carries
 * `expiration` = the timeout: one the gateway gave up on is never run later.
 */
export class SignalCommandClient implements SignalCommandSender {
  private link: Promise<Link> | undefined;
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(
    private readonly amqpUrl: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  async send(command: SignalCommand, correlationId: string): Promise<SignalCommandReply> {
    if (this.closed) throw new InternalServerError('the gateway is shutting down');
    let link: Link;
    try {
      link = await this.connectOnce();
    } catch (error) {
      this.logger.error({ err: error }, 'cannot reach RabbitMQ to send a command');
      throw new DependencyUnavailableError('the processing service is unreachable; nothing was changed', {
        reason: 'COMMAND_BROKER_UNREACHABLE',
      });
    }
    const messageId = randomUUID();
    return new Promise<SignalCommandReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        reject(
          new InternalServerError(
            `the processing service did not answer within ${this.timeoutMs} ms; the change may or may not have been applied`,
            { reason: 'COMMAND_TIMEOUT' },
          ),
        );
      }, this.timeoutMs);
      this.pending.set(messageId, { resolve, reject, timer });
      try {
        link.channel.publish(
          XRAY_EXCHANGE,
          commandRoutingKeyFor(command.kind),
          Buffer.from(JSON.stringify(command)),
          {
            correlationId: messageId,
            replyTo: DIRECT_REPLY_TO,
            contentType: 'application/json',
            expiration: String(this.timeoutMs),
            mandatory: true,
            headers: { [AMQP_HEADERS.correlationId]: correlationId },
          },
          (error: unknown) => {
            if (!error) return;
            // A nack is the broker's refusal. amqplib fails the confirms still awaited when the channel
            // closes too (a lost connection): the command may have reached the queue by then.
            this.fail(
              messageId,
              error instanceof Error && error.message === NACKED
                ? new InternalServerError('the broker refused the command; nothing was changed', {
                    reason: 'COMMAND_REFUSED',
                  })
                : connectionLostError(),
            );
          },
        );
      } catch (error) {
        // The channel closed between connecting and publishing: amqplib throws at once.
        this.logger.error({ err: error }, 'cannot publish a command');
        this.fail(
          messageId,
          new DependencyUnavailableError('the processing service is unreachable; nothing was changed', {
            reason: 'COMMAND_BROKER_UNREACHABLE',
          }),
        );
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [id] of this.pending) this.fail(id, connectionLostError());
    const link = this.link;
    this.link = undefined;
    if (link) {
      const resolved = await link.catch(() => undefined);
      await resolved?.connection.close().catch(() => undefined);
    }
  }

  private fail(messageId: string, error: Error): void {
    const entry = this.pending.get(messageId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(messageId);
    entry.reject(error);
  }

  private connectOnce(): Promise<Link> {
    if (!this.link) {
      this.link = this.open().catch((error: unknown) => {
        this.link = undefined;
        throw error;
      });
    }
    return this.link;
  }

  private async open(): Promise<Link> {
    // Without a socket timeout a broker that drops packets holds the connect (and every command and
    // the shutdown waiting on it) until the OS gives up, minutes later.
    const connection = await connect(this.amqpUrl, { timeout: this.timeoutMs });
    // amqplib lifts that timeout once the handshake is done: a broker that stalls after it would
    // hold the channel's set-up as long, so the set-up has the same bound.
    let abandoned = false;
    const setUp = async (): Promise<Link> => {
      const channel = await connection.createConfirmChannel();
      await declareTopology(channel);
      await channel.consume(DIRECT_REPLY_TO, (message) => this.onReply(message), { noAck: true });
      // Finished after its time ran out: this connection is being closed, and must not touch the next link.
      if (abandoned) throw new Error('the command channel was set up too late');
      channel.on('return', (message) => {
        const id = String(message.properties.correlationId ?? '');
        this.fail(
          id,
          new DependencyUnavailableError('no processing service is bound to receive commands; nothing was changed', {
            reason: 'COMMAND_UNROUTABLE',
          }),
        );
      });
      const lost = (error?: Error): void => {
        if (error) this.logger.warn({ err: error }, 'RabbitMQ command connection lost');
        this.link = undefined;
        for (const [id] of this.pending) this.fail(id, connectionLostError());
      };
      connection.on('error', (error: Error) => this.logger.warn({ err: error }, 'RabbitMQ command connection error'));
      connection.on('close', lost);
      channel.on('error', (error: Error) => this.logger.warn({ err: error }, 'RabbitMQ command channel error'));
      channel.on('close', () => {
        if (!this.closed) void connection.close().catch(() => undefined);
      });
      return { connection, channel };
    };
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`RabbitMQ did not open the command channel within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([setUp(), expired]);
    } catch (error) {
      abandoned = true;
      // Not awaited: a stalled broker never answers the close either.
      void connection.close().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private onReply(message: ConsumeMessage | null): void {
    if (!message) return;
    const id = String(message.properties.correlationId ?? '');
    const entry = this.pending.get(id);
    if (!entry) return;
    let body: unknown;
    try {
      body = JSON.parse(message.content.toString('utf8'));
    } catch {
      body = undefined;
    }
    clearTimeout(entry.timer);
    this.pending.delete(id);
    if (isReply(body)) entry.resolve(body);
    else {
      this.logger.error({ reply: message.content.toString('utf8').slice(0, 500) }, 'malformed command reply');
      entry.reject(new InternalServerError('the processing service sent an unreadable answer'));
    }
  }
}
