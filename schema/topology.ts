/**
 * RabbitMQ topology shared by ingest (publisher), processor (consumer) and gateway (commands).
 *
 * ```
 * iot.xray (topic) --xray.raw.#--> xray.raw.q (quorum)      processor --publish, then ack--> iot.dlx --> xray.raw.dlq
 *                                      ^                    (poison or out of attempts; the reason in a header)
 *      xray.raw.v2.retry (quorum, per-message TTL) --expires--+  (transient failures wait here)
 * iot.xray (topic) --xray.cmd.#--> xray.cmd.q   (gateway mutations; answers via direct reply-to)
 * ```
 */

/** Topic exchange every x-ray message and command is published to. */
export const XRAY_EXCHANGE = 'iot.xray';

/** Dead-letter exchange for poison messages (and retries that ran out of attempts). */
export const DEAD_LETTER_EXCHANGE = 'iot.dlx';

/** Main quorum queue of raw x-ray messages. */
export const RAW_QUEUE = 'xray.raw.q';

/** Binding of {@link RAW_QUEUE} on {@link XRAY_EXCHANGE}. */
export const RAW_BINDING_PATTERN = 'xray.raw.#';

/**
 * Queue where transiently failed messages wait (per-message expiration) before returning to
 * {@link RAW_QUEUE}. v2: a quorum queue (v1 was classic; a v1 left on a broker still returns what it holds).
 */
export const RAW_RETRY_QUEUE = 'xray.raw.v2.retry';

/** Routing key under which messages expiring from {@link RAW_RETRY_QUEUE} return to {@link XRAY_EXCHANGE}. */
export const RAW_RETRY_RETURN_ROUTING_KEY = 'xray.raw.v1.retried';

/** Dead-letter queue bound to {@link DEAD_LETTER_EXCHANGE}. */
export const RAW_DEAD_LETTER_QUEUE = 'xray.raw.dlq';

/** Queue of signal commands sent by the gateway's mutations. */
export const COMMAND_QUEUE = 'xray.cmd.q';

/** Binding of {@link COMMAND_QUEUE} on {@link XRAY_EXCHANGE}. */
export const COMMAND_BINDING_PATTERN = 'xray.cmd.#';

/** Most delivery attempts for a transiently failing message before it is dead-lettered. */
export const MAX_DELIVERY_ATTEMPTS = 5;

/** Routing key of a raw x-ray message from one device. */
export function rawRoutingKeyFor(deviceId: string): string {
  return `xray.raw.v1.${deviceId}`;
}

/** Routing key of a signal command. */
export function commandRoutingKeyFor(kind: 'create' | 'update' | 'delete'): string {
  return `xray.cmd.${kind}`;
}

/** AMQP header names carried with each raw message (lowercase, as RabbitMQ keeps them). */
export const AMQP_HEADERS = {
  correlationId: 'x-correlation-id',
  deviceId: 'x-device-id',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  signature: 'x-signature',
  /** Epoch ms at which ingest accepted the message (the basis of retention). */
  acceptedAt: 'x-accepted-at',
  /** Delivery attempts so far (set by the processor when it schedules a retry). */
  attempt: 'x-attempt',
  /** Why a message was dead-lettered (set by the processor). */
  deadLetterReason: 'x-dead-letter-reason',
} as const;

/** HTTP header names of the ingest contract. */
export const HTTP_HEADERS = {
  deviceId: 'x-device-id',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  signature: 'x-signature',
  correlationId: 'x-correlation-id',
} as const;
