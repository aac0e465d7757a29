import { Types } from 'mongoose';
import {
  assertNever,
  validateXRayMessage,
  type Device,
  type Logger,
  type SignalCommand,
  type SignalCommandReply,
  type XRayPayload,
} from '../schema';
import { rawPayloadIdFor } from './idempotency-key';
import { isDuplicateKeyError } from './processing-failure';
import { comparePositions } from './rollup-increments';
import type { ProcessorModels } from './processor.models';
import { deriveSignal, type DerivedSignal } from './signal-derivation';
import { processedEventOf, signalDocumentFor, signalTrackDocumentFor, type SignalDocument } from './signal-document';
import type { SignalEventPublisher } from './signal-event.publisher';
import type { SignalWriter } from './signal.writer';
import { summarizeIssues } from './validation-summary';

export interface SignalCommandHandlerDeps {
  models: ProcessorModels;
  writer: SignalWriter;
  events: SignalEventPublisher;
  maxSpeedKmh: number;
  logger: Logger;
  now?: () => number;
}

/** How often an update or delete locks again when the signal moved to other devices meanwhile. */
const MAX_LOCK_ATTEMPTS = 3;

const DUPLICATE = 'another signal with the same device, time and data exists';

/** A command that cannot be carried out as asked (nothing was changed); answered, never retried. */
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
 * payload. Update and delete recompute the rollups of the devices involved, and decide on the
 * signal as read inside `writer.rewrite`'s exclusive section, so a signal deleted or changed
 * while the command waited is answered NOT_FOUND rather than written again.
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
      throw new CommandRefusal('BAD_USER_INPUT', summarizeIssues(validation.issues));
    }
    return { derived: deriveSignal(validation.message, raw, deps.maxSpeedKmh), raw };
  };

  const signalIdOf = (signalId: string): Types.ObjectId => {
    if (!Types.ObjectId.isValid(signalId) || !/^[0-9a-fA-F]{24}$/.test(signalId)) {
      throw new CommandRefusal('BAD_USER_INPUT', `signal id ${JSON.stringify(signalId)} is not a valid id`);
    }
    return new Types.ObjectId(signalId);
  };

  const findSignal = async (id: Types.ObjectId): Promise<SignalDocument> => {
    const found = (await deps.models.signals.collection.findOne({ _id: id })) as SignalDocument | null;
    if (found === null) throw new CommandRefusal('NOT_FOUND', `no signal ${id.toHexString()}`);
    return found;
  };

  /**
   * Runs `work` on the signal as it is inside `writer.rewrite`'s exclusive section: read before it,
   * the signal may have been deleted or changed by then (another command, the retention job). The
   * devices to recompute come from a read outside, so should the signal have moved to a device
   * outside them meanwhile (only another processor replica can do that), it locks again.
   */
  const withLockedSignal = async <T>(
    read: SignalDocument,
    devicesFor: (signal: SignalDocument) => string[],
    work: (signal: SignalDocument) => Promise<T>,
  ): Promise<T> => {
    const id = read._id;
    let seen = read;
    for (let attempt = 1; ; attempt += 1) {
      const devices = [...new Set(devicesFor(seen))];
      const outcome = await deps.writer.rewrite(
        devices,
        async (): Promise<{ done: T } | { movedTo: SignalDocument }> => {
          const current = await findSignal(id);
          if (!devices.includes(current.deviceId)) return { movedTo: current };
          return { done: await work(current) };
        },
      );
      if ('done' in outcome) return outcome.done;
      if (attempt >= MAX_LOCK_ATTEMPTS) {
        throw new Error(`signal ${id.toHexString()} kept moving between devices; nothing was changed`);
      }
      seen = outcome.movedTo;
    }
  };

  /**
   * Removes the payload and track an update wrote for readings it then did not store, unless the
   * signal now holding those readings uses them: both ids derive from the idempotency key (the
   * payload's also from the bytes), so that signal, found by its unique key, is the only possible user.
   */
  const discardUnheld = async (idempotencyKey: string, rawPayloadId: Types.ObjectId, trackId: Types.ObjectId) => {
    const holder = (await deps.models.signals.collection.findOne(
      { idempotencyKey },
      { projection: { rawPayloadId: 1, trackId: 1 } },
    )) as Pick<SignalDocument, '_id' | 'rawPayloadId' | 'trackId'> | null;
    if (!holder?.rawPayloadId?.equals(rawPayloadId)) await deps.models.rawPayloads.delete(rawPayloadId);
    if (!holder?.trackId?.equals(trackId)) await deps.models.signalTracks.deleteMany([trackId]);
  };

  const publish = async (signal: SignalDocument, correlationId: string, revised = false): Promise<void> => {
    await deps.events.publish({ ...processedEventOf(signal, correlationId), ...(revised ? { revised } : {}) });
    await deps.events.rememberSeen(signal.idempotencyKey, signal._id.toHexString());
  };

  /**
   * Tells live subscribers to read where `removed`'s device is now, once the command's rollups
   * landed, should removing (or replacing) `removed` have set the device's position back: its
   * events alone only ever move a position forward. Sent last: the gateway reads what is newest
   * when the notice arrives, and a failure here loses only the notice (the command answers that
   * it may not have been applied in full).
   */
  const correctPosition = async (removed: SignalDocument): Promise<void> => {
    // The rollups the command recomputed hold the newest end left: no need to sort the signals.
    const device = (await deps.models.devices.collection.findOne(
      { _id: removed.deviceId as never },
      { projection: { lastPosition: 1 } },
    )) as Pick<Device, 'lastPosition'> | null;
    const newest = device?.lastPosition;
    // The position stands: another signal ends as late or later (an update's own event moved it on).
    if (newest && comparePositions(newest, removed.end) >= 0) return;
    await deps.events.publishPositionCorrection({ deviceId: removed.deviceId });
  };

  const update = async (
    command: Extract<SignalCommand, { kind: 'update' }>,
    correlationId: string,
  ): Promise<SignalCommandReply> => {
    const id = signalIdOf(command.signalId);
    // An unknown id is NOT_FOUND whatever the payload.
    const seen = await findSignal(id);
    const { derived, raw } = derive(command.deviceId, command.payload, now());
    const rawPayloadId = rawPayloadIdFor(derived.idempotencyKey, derived.rawSha256);
    const { previous, updated } = await withLockedSignal(
      seen,
      (signal) => [signal.deviceId, derived.deviceId],
      async (current) => {
        // Refused before anything is written: the readings belong to another signal, whose payload
        // may well be the very file `rawPayloadId` names (the same bytes give the same id).
        const holder = (await deps.models.signals.collection.findOne(
          { idempotencyKey: derived.idempotencyKey },
          { projection: { _id: 1 } },
        )) as Pick<SignalDocument, '_id'> | null;
        if (holder !== null && !holder._id.equals(current._id)) throw new CommandRefusal('BAD_USER_INPUT', DUPLICATE);

        const replacement: SignalDocument = signalDocumentFor(derived, {
          id: current._id,
          rawPayloadId,
          ingestedAt: current.ingestedAt.getTime(),
          correlationId,
        });
        await deps.models.rawPayloads.putMany([
          { id: rawPayloadId, raw, metadata: { deviceId: derived.deviceId, rawSha256: derived.rawSha256 } },
        ]);
        await deps.models.signalTracks.putMany([signalTrackDocumentFor(derived, replacement)]);
        let replaced: SignalDocument | null;
        try {
          // The document actually replaced, not `current`: its payload and track are the ones to remove.
          replaced = (await deps.models.signals.collection.findOneAndReplace(
            { _id: current._id },
            replacement as never,
            { returnDocument: 'before' },
          )) as SignalDocument | null;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          // Another writer (a processor replica) stored these readings since the check above.
          await discardUnheld(derived.idempotencyKey, rawPayloadId, replacement.trackId);
          throw new CommandRefusal('BAD_USER_INPUT', DUPLICATE);
        }
        if (replaced === null) {
          // Deleted since the read above (by another replica): what was written for it is nobody's.
          await discardUnheld(derived.idempotencyKey, rawPayloadId, replacement.trackId);
          throw new CommandRefusal('NOT_FOUND', `no signal ${id.toHexString()}`);
        }
        if (!rawPayloadId.equals(replaced.rawPayloadId)) await deps.models.rawPayloads.delete(replaced.rawPayloadId);
        if (replaced.trackId && !replaced.trackId.equals(replacement.trackId)) {
          await deps.models.signalTracks.deleteMany([replaced.trackId]);
        }
        return { previous: replaced, updated: replacement };
      },
    );
    await deps.events.forget(previous.idempotencyKey);
    await publish({ ...updated, rollupState: 'applied' }, correlationId, true);
    await correctPosition(previous);
    return { ok: true, signalId: id.toHexString() };
  };

  const remove = async (command: Extract<SignalCommand, { kind: 'delete' }>): Promise<SignalCommandReply> => {
    const id = signalIdOf(command.signalId);
    const deleted = await withLockedSignal(
      await findSignal(id),
      (signal) => [signal.deviceId],
      async (current) => {
        const removed = (await deps.models.signals.collection.findOneAndDelete({
          _id: current._id,
        })) as SignalDocument | null;
        // Whoever deleted it since the read above (another replica) removed its payload and track.
        if (removed === null) throw new CommandRefusal('NOT_FOUND', `no signal ${id.toHexString()}`);
        await deps.models.rawPayloads.delete(removed.rawPayloadId);
        if (removed.trackId) await deps.models.signalTracks.deleteMany([removed.trackId]);
        return removed;
      },
    );
    await deps.events.forget(deleted.idempotencyKey);
    await correctPosition(deleted);
    return { ok: true, signalId: id.toHexString(), deleted: true };
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
      case 'update':
        return update(command, correlationId);
      case 'delete':
        return remove(command);
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
      return {
        ok: false,
        code: 'INTERNAL_SERVER_ERROR',
        message: 'the command failed; it may or may not have been applied',
      };
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
