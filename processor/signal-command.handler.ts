import { Types } from 'mongoose';
import {
  assertNever,
  validateXRayMessage,
  type Logger,
  type SignalCommand,
  type SignalCommandReply,
  type XRayPayload,
} from '../schema';
import { rawPayloadIdFor } from './idempotency-key';
import { isDuplicateKeyError } from './processing-failure';
import type { ProcessorModels } from './processor.models';
import { deriveSignal, type DerivedSignal } from './signal-derivation';
import { processedEventOf, signalDocumentFor, signalTrackDocumentFor, type SignalDocument } from './signal-document';
import type { SignalEventPublisher } from './signal-event.publisher';
import type { SignalWriter } from './signal.writer';

export interface SignalCommandHandlerDeps {
  models: ProcessorModels;
  writer: SignalWriter;
  events: SignalEventPublisher;
  maxSpeedKmh: number;
  logger: Logger;
  now?: () => number;
}

/** A command that cannot be carried out as asked; answered, never retried. */
class CommandRefusal extends Error {
  constructor(
    public readonly code: 'BAD_USER_INPUT' | 'NOT_FOUND',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs the gateway's signal mutations through the same processing as the pipeline: a create is
 * derived and stored exactly like a message from a device (its canonical JSON is the raw payload);
 * an update re-derives everything under the signal's id; a delete removes the signal and its raw
 * payload. Update and delete recompute the rollups of the devices involved.
 */
export function createSignalCommandHandler(
  deps: SignalCommandHandlerDeps,
): (command: unknown, correlationId: string) => Promise<SignalCommandReply> {
  const now = deps.now ?? Date.now;

  const derive = (
    deviceId: string,
    payload: XRayPayload,
    acceptedAt: number,
  ): { derived: DerivedSignal; raw: Buffer } => {
    const raw = Buffer.from(JSON.stringify({ [deviceId]: payload }), 'utf8');
    const validation = validateXRayMessage(JSON.parse(raw.toString('utf8')), {
      nowMs: acceptedAt,
      expectedDeviceId: deviceId,
    });
    if (!validation.ok) {
      throw new CommandRefusal('BAD_USER_INPUT', validation.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    }
    return { derived: deriveSignal(validation.message, raw, deps.maxSpeedKmh), raw };
  };

  const findSignal = async (signalId: string): Promise<SignalDocument> => {
    if (!Types.ObjectId.isValid(signalId) || !/^[0-9a-fA-F]{24}$/.test(signalId)) {
      throw new CommandRefusal('BAD_USER_INPUT', `signal id ${JSON.stringify(signalId)} is not a valid id`);
    }
    const found = (await deps.models.signals.collection.findOne({
      _id: new Types.ObjectId(signalId),
    })) as SignalDocument | null;
    if (found === null) throw new CommandRefusal('NOT_FOUND', `no signal ${signalId}`);
    return found;
  };

  const publish = async (signal: SignalDocument, correlationId: string): Promise<void> => {
    await deps.events.publish(processedEventOf(signal, correlationId));
    await deps.events.rememberSeen(signal.idempotencyKey, signal._id.toHexString());
  };

  const run = async (command: SignalCommand, correlationId: string): Promise<SignalCommandReply> => {
    switch (command.kind) {
      case 'create': {
        const acceptedAt = now();
        const { derived, raw } = derive(command.deviceId, command.payload, acceptedAt);
        const { signal } = await deps.writer.store({ derived, raw, ingestedAt: acceptedAt, correlationId });
        await publish(signal, correlationId);
        return { ok: true, signalId: signal._id.toHexString() };
      }
      case 'update': {
        const existing = await findSignal(command.signalId);
        const { derived, raw } = derive(command.deviceId, command.payload, now());
        const rawPayloadId = rawPayloadIdFor(derived.idempotencyKey, derived.rawSha256);
        const updated: SignalDocument = signalDocumentFor(derived, {
          id: existing._id,
          rawPayloadId,
          ingestedAt: existing.ingestedAt.getTime(),
          correlationId,
        });
        await deps.writer.rewrite([existing.deviceId, derived.deviceId], async () => {
          await deps.models.rawPayloads.putMany([
            { id: rawPayloadId, raw, metadata: { deviceId: derived.deviceId, rawSha256: derived.rawSha256 } },
          ]);
          await deps.models.signalTracks.putMany([signalTrackDocumentFor(derived, updated)]);
          const trackChanged = !existing.trackId?.equals(updated.trackId);
          try {
            await deps.models.signals.collection.replaceOne({ _id: existing._id }, updated as never);
          } catch (error) {
            if (!isDuplicateKeyError(error)) throw error;
            if (!rawPayloadId.equals(existing.rawPayloadId)) await deps.models.rawPayloads.delete(rawPayloadId);
            // The same readings as another signal: that one owns this track id, so it stays.
            throw new CommandRefusal('BAD_USER_INPUT', 'another signal with the same device, time and data exists');
          }
          if (!rawPayloadId.equals(existing.rawPayloadId)) await deps.models.rawPayloads.delete(existing.rawPayloadId);
          if (trackChanged && existing.trackId) await deps.models.signalTracks.deleteMany([existing.trackId]);
        });
        await deps.events.forget(existing.idempotencyKey);
        await publish({ ...updated, rollupState: 'applied' }, correlationId);
        return { ok: true, signalId: existing._id.toHexString() };
      }
      case 'delete': {
        const existing = await findSignal(command.signalId);
        await deps.writer.rewrite([existing.deviceId], async () => {
          await deps.models.signals.collection.deleteOne({ _id: existing._id });
          await deps.models.rawPayloads.delete(existing.rawPayloadId);
          if (existing.trackId) await deps.models.signalTracks.deleteMany([existing.trackId]);
        });
        await deps.events.forget(existing.idempotencyKey);
        return { ok: true, signalId: existing._id.toHexString(), deleted: true };
      }
      default:
        return assertNever(command);
    }
  };

  return async (command, correlationId) => {
    const parsed = parseCommand(command);
    if (typeof parsed === 'string') return { ok: false, code: 'BAD_USER_INPUT', message: parsed };
    try {
      return await run(parsed, correlationId);
    } catch (error) {
      if (error instanceof CommandRefusal) return { ok: false, code: error.code, message: error.message };
      deps.logger.error({ err: error, kind: parsed.kind, correlationId }, 'signal command failed');
      return { ok: false, code: 'INTERNAL_SERVER_ERROR', message: 'the command could not be carried out; try again' };
    }
  };
}

/** The command, or what is wrong with its shape (the payload itself is validated like a device message). */
function parseCommand(value: unknown): SignalCommand | string {
  if (typeof value !== 'object' || value === null) return 'a command must be a JSON object';
  const command = value as Record<string, unknown>;
  const isString = (v: unknown): v is string => typeof v === 'string' && v !== '';
  switch (command.kind) {
    case 'create':
      if (!isString(command.deviceId)) return 'create needs a deviceId';
      return { kind: 'create', deviceId: command.deviceId, payload: command.payload as XRayPayload };
    case 'update':
      if (!isString(command.signalId) || !isString(command.deviceId)) return 'update needs a signalId and a deviceId';
      return {
        kind: 'update',
        signalId: command.signalId,
        deviceId: command.deviceId,
        payload: command.payload as XRayPayload,
      };
    case 'delete':
      if (!isString(command.signalId)) return 'delete needs a signalId';
      return { kind: 'delete', signalId: command.signalId };
    default:
      return `unknown command kind ${JSON.stringify(command.kind)}`;
  }
}
