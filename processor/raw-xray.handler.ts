import { AMQP_HEADERS, bodySha256Hex, isValidXRaySignatureOfDigest, validateXRayMessage, type Logger } from '../schema';
import type { ProcessorMetrics } from './processor.metrics';
import { PoisonMessageError } from './processing-failure';
import { deriveSignal } from './signal-derivation';
import { processedEventOf } from './signal-document';
import type { SignalEventPublisher } from './signal-event.publisher';
import type { SignalWriter } from './signal.writer';
import { summarizeIssues } from './validation-summary';

/** A raw x-ray message as it comes off the broker, without the transport. */
export interface RawXRayDelivery {
  body: Buffer;
  headers: Record<string, unknown>;
}

/** What became of a message that did not fail. */
export interface RawXRayOutcome {
  /** `stored`: new; `duplicate`: stored before (its event is published again unless Redis remembered it). */
  outcome: 'stored' | 'duplicate';
  signalId: string;
  deviceId: string;
}

export interface RawXRayHandlerDeps {
  hmacSecret: string;
  maxSpeedKmh: number;
  writer: SignalWriter;
  events: SignalEventPublisher;
  metrics: ProcessorMetrics;
  logger: Logger;
  now?: () => number;
}

/**
 * The processing of one raw x-ray message, transport-agnostic: re-verify the device signature over
 * the raw body (not the nonce, which ingest consumed, nor the age, since retries delay messages),
 * parse and validate (the future bound relative to when ingest accepted it), derive, store exactly
 * once, publish the event, remember the key. Throws {@link PoisonMessageError} for a message that can
 * never succeed; any other error is transient.
 */
export function createRawXRayHandler(deps: RawXRayHandlerDeps): (delivery: RawXRayDelivery) => Promise<RawXRayOutcome> {
  const now = deps.now ?? Date.now;
  return async ({ body, headers }) => {
    const deviceId = requiredHeader(headers, AMQP_HEADERS.deviceId);
    const timestamp = requiredHeader(headers, AMQP_HEADERS.timestamp);
    const nonce = requiredHeader(headers, AMQP_HEADERS.nonce);
    const signature = requiredHeader(headers, AMQP_HEADERS.signature);
    const rawSha256 = bodySha256Hex(body);
    if (
      !isValidXRaySignatureOfDigest(deps.hmacSecret, { deviceId, timestamp, nonce, bodySha256: rawSha256 }, signature)
    ) {
      throw new PoisonMessageError('signature does not match the body and the device key');
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new PoisonMessageError(`body is not valid JSON: ${(error as Error).message}`);
    }
    const acceptedAt = acceptedAtOf(headers, now);
    const validation = validateXRayMessage(parsed, { nowMs: acceptedAt, expectedDeviceId: deviceId });
    if (!validation.ok) {
      throw new PoisonMessageError(`invalid x-ray message: ${summarizeIssues(validation.issues)}`);
    }

    const derived = deriveSignal(validation.message, body, deps.maxSpeedKmh, rawSha256);
    const seenSignalId = await deps.events.seenSignalId(derived.idempotencyKey);
    if (seenSignalId !== null) return { outcome: 'duplicate', signalId: seenSignalId, deviceId };

    const correlationId = optionalHeader(headers, AMQP_HEADERS.correlationId);
    const { outcome, signal } = await deps.writer.store({
      derived,
      raw: body,
      ingestedAt: acceptedAt,
      ...(correlationId === undefined ? {} : { correlationId }),
    });
    if (outcome === 'stored') deps.metrics.droppedSamples.inc(derived.stats.droppedSamples);
    const signalId = signal._id.toHexString();
    await deps.events.publishStored(
      processedEventOf(signal, correlationId ?? signal.correlationId ?? ''),
      derived.idempotencyKey,
    );
    return { outcome, signalId, deviceId };
  };
}

function optionalHeader(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined || value === null) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

function requiredHeader(headers: Record<string, unknown>, name: string): string {
  const value = optionalHeader(headers, name);
  if (value === undefined || value === '') throw new PoisonMessageError(`missing header ${name}`);
  return value;
}

/** When ingest accepted the message; a message without the header counts as accepted now. */
function acceptedAtOf(headers: Record<string, unknown>, now: () => number): number {
  const value = Number(optionalHeader(headers, AMQP_HEADERS.acceptedAt));
  return Number.isFinite(value) && value > 0 ? value : now();
}
