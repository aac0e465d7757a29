import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import {
  AMQP_HEADERS,
  DEAD_LETTER_EXCHANGE,
  RAW_RETRY_QUEUE,
  RAW_RETRY_RETURN_ROUTING_KEY,
  publishConfirmed,
  rawRoutingKeyFor,
  type Logger,
} from '../schema';
import { boundedReason } from './dead-letter-reason';
import { republishedPropertiesOf } from './republished-properties';
import type { ProcessorMetrics } from './processor.metrics';
import { describeError, PoisonMessageError } from './processing-failure';
import type { RawXRayDelivery, RawXRayOutcome } from './raw-xray.handler';
import { retryDecisionFor, type RetryPolicy } from './retry-policy';

/** Routing key a message first arrived with; kept across retries, which arrive under another key. */
export const ORIGINAL_ROUTING_KEY_HEADER = 'x-original-routing-key';

/** When a message was first held for an outage (epoch ms), to bound how long it is held. */
export const HELD_SINCE_HEADER = 'x-held-since';

/**
 * Deliveries of one message (the quorum queue's `x-delivery-count`) after which a message that could
 * not be parked is rejected to the queue's own dead-lettering instead of requeued once more: a park
 * that keeps failing must not spin on one message forever.
 */
export const MAX_REDELIVERIES_BEFORE_BROKER_DEAD_LETTER = 10;

/** The quorum queue's count of a message's redeliveries, on every redelivery. */
export const DELIVERY_COUNT_HEADER = 'x-delivery-count';

/**
 * Headers the broker adds (when dead-lettering, when redelivering); not carried into republished
 * copies, which are new messages: a stale delivery count would send one straight to the dead letters.
 */
export const BROKER_HEADERS = [
  DELIVERY_COUNT_HEADER,
  'x-acquired-count',
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
];

export interface RawXRayConsumerDeps {
  handle: (delivery: RawXRayDelivery) => Promise<RawXRayOutcome>;
  retryPolicy: RetryPolicy;
  /** What is down right now (database, Redis), asked only when a message's last attempt failed. */
  dependencyOutage: () => Promise<string | undefined>;
  metrics: ProcessorMetrics;
  logger: Logger;
}

/**
 * The AMQP adapter around the raw x-ray handler. Every message ends acknowledged exactly when its
 * fate is safely recorded: stored and published; or republished (with a confirm) to the retry queue
 * with a backoff expiration and an incremented `x-attempt` (the same `x-attempt` when its last
 * attempt failed while the database or Redis was down: an outage is not the message's fault); or
 * republished (with a confirm) to the dead-letter exchange with the reason. If even that republish fails, the message is left
 * unacknowledged for the broker to redeliver: nothing is dropped. One redelivered
 * {@link MAX_REDELIVERIES_BEFORE_BROKER_DEAD_LETTER} times is rejected instead, and the raw queue's
 * at-least-once dead-lettering moves it to the dead-letter queue (with `x-death`, without a reason).
 */
export function rawXRayMessageHandler(
  consumeChannel: Channel,
  publishChannel: ConfirmChannel,
  deps: RawXRayConsumerDeps,
): (message: ConsumeMessage) => Promise<void> {
  return async (message) => {
    const timer = deps.metrics.processingSeconds.startTimer({ queue: 'raw' });
    const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
    const attempt = attemptOf(headers);
    const log = deps.logger.child({
      correlationId: headers[AMQP_HEADERS.correlationId],
      deviceId: headers[AMQP_HEADERS.deviceId],
      messageId: message.properties.messageId,
      attempt,
    });
    let outcome: string;
    try {
      const result = await deps.handle({ body: message.content, headers });
      outcome = result.outcome;
      log.debug({ signalId: result.signalId, outcome }, 'processed x-ray message');
    } catch (error) {
      try {
        outcome = await settleFailure(message, headers, attempt, error, publishChannel, deps, log);
      } catch (republishError) {
        const deliveries = Number(headers[DELIVERY_COUNT_HEADER] ?? 0);
        if (deliveries >= MAX_REDELIVERIES_BEFORE_BROKER_DEAD_LETTER) {
          log.error(
            { err: republishError, cause: describeError(error), deliveries },
            'could not park a failed message again; rejecting it to the queue dead-lettering',
          );
          safely(() => consumeChannel.nack(message, false, false));
          deps.metrics.processed.inc({ queue: 'raw', outcome: 'rejected_to_dead_letters' });
          return;
        }
        log.error(
          { err: republishError, cause: describeError(error) },
          'could not park a failed message; leaving it to redelivery',
        );
        safely(() => consumeChannel.nack(message, false, true));
        deps.metrics.processed.inc({ queue: 'raw', outcome: 'requeued' });
        return;
      }
    }
    safely(() => consumeChannel.ack(message));
    deps.metrics.processed.inc({ queue: 'raw', outcome });
    timer();
  };
}

async function settleFailure(
  message: ConsumeMessage,
  headers: Record<string, unknown>,
  attempt: number,
  error: unknown,
  publishChannel: ConfirmChannel,
  deps: RawXRayConsumerDeps,
  log: Logger,
): Promise<string> {
  const originalRoutingKey = originalRoutingKeyOf(message, headers);
  if (error instanceof PoisonMessageError) {
    log.warn({ reason: error.reason }, 'dead-lettering a poison message');
    await deadLetter(message, headers, originalRoutingKey, error.reason, publishChannel);
    deps.metrics.deadLetters.inc({ reason: 'poison' });
    return 'dead_lettered';
  }
  const lastAttempt = attempt >= deps.retryPolicy.maxAttempts;
  const outage = lastAttempt ? await deps.dependencyOutage() : undefined;
  const now = Date.now();
  const heldSince = Number(headers[HELD_SINCE_HEADER]);
  const firstHeldAt = Number.isFinite(heldSince) && heldSince > 0 ? heldSince : now;
  const decision = retryDecisionFor(attempt, deps.retryPolicy, {
    dependencyDown: outage !== undefined,
    heldForMs: now - firstHeldAt,
  });
  if (decision.action === 'dead-letter') {
    const reason = `gave up after ${attempt} attempts: ${describeError(error)}`;
    log.error({ err: error }, 'dead-lettering a message that kept failing');
    await deadLetter(message, headers, originalRoutingKey, reason, publishChannel);
    deps.metrics.deadLetters.inc({ reason: 'exhausted' });
    return 'dead_lettered';
  }
  if (decision.held)
    log.warn({ err: error, outage, delayMs: decision.delayMs }, 'a dependency is down; holding the message');
  else log.warn({ err: error, delayMs: decision.delayMs }, 'transient failure; retrying later');
  await publishConfirmed(
    publishChannel,
    '',
    RAW_RETRY_QUEUE,
    message.content,
    {
      ...republishedPropertiesOf(message.properties),
      expiration: String(decision.delayMs),
      headers: {
        ...withoutHoldHeader(withoutBrokerHeaders(headers)),
        [AMQP_HEADERS.attempt]: decision.nextAttempt,
        [ORIGINAL_ROUTING_KEY_HEADER]: originalRoutingKey,
        ...(decision.held ? { [HELD_SINCE_HEADER]: firstHeldAt } : {}),
      },
    },
    { mustRoute: true },
  );
  deps.metrics.retries.inc();
  if (decision.held) deps.metrics.heldForOutage.inc();
  return 'retried';
}

function deadLetter(
  message: ConsumeMessage,
  headers: Record<string, unknown>,
  originalRoutingKey: string,
  reason: string,
  publishChannel: ConfirmChannel,
): Promise<void> {
  return publishConfirmed(
    publishChannel,
    DEAD_LETTER_EXCHANGE,
    originalRoutingKey,
    message.content,
    {
      ...republishedPropertiesOf(message.properties),
      headers: {
        ...withoutBrokerHeaders(headers),
        [AMQP_HEADERS.deadLetterReason]: boundedReason(reason),
        [ORIGINAL_ROUTING_KEY_HEADER]: originalRoutingKey,
      },
    },
    { mustRoute: true },
  );
}

/** A retry that is not a hold starts the bound afresh at its next hold (after a replay, say). */
function withoutHoldHeader(headers: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...headers };
  delete copy[HELD_SINCE_HEADER];
  return copy;
}

/** A parked copy's headers: the message's own, none of those the broker added to this delivery. */
export function withoutBrokerHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...headers };
  for (const name of BROKER_HEADERS) delete copy[name];
  return copy;
}

/** Delivery attempt of this message, 1 for a first delivery. */
export function attemptOf(headers: Record<string, unknown>): number {
  const value = Number(headers[AMQP_HEADERS.attempt]);
  return Number.isInteger(value) && value >= 1 ? value : 1;
}

function originalRoutingKeyOf(message: ConsumeMessage, headers: Record<string, unknown>): string {
  const kept = headers[ORIGINAL_ROUTING_KEY_HEADER];
  if (typeof kept === 'string' && kept !== '') return kept;
  if (message.fields.routingKey !== RAW_RETRY_RETURN_ROUTING_KEY) return message.fields.routingKey;
  const deviceId = headers[AMQP_HEADERS.deviceId];
  return rawRoutingKeyFor(typeof deviceId === 'string' && deviceId !== '' ? deviceId : 'unknown');
}

/** Acks and nacks on a channel that closed meanwhile throw; the broker redelivers those messages anyway. */
function safely(operation: () => void): void {
  try {
    operation();
  } catch {
    // the channel is gone: the broker requeues every unacknowledged message of it
  }
}
