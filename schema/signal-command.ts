import type { XRayPayload } from './xray-message';

/**
 * Commands the gateway's mutations send to the processor (the only writer of signals) on
 * `xray.cmd.<kind>`, with `replyTo` = RabbitMQ direct reply-to and a `correlationId`.
 */
export type SignalCommand =
  | { kind: 'create'; deviceId: string; payload: XRayPayload }
  | { kind: 'update'; signalId: string; deviceId: string; payload: XRayPayload }
  | { kind: 'delete'; signalId: string };

/** Error codes a command reply can carry; the gateway maps them to GraphQL error codes. */
export type SignalCommandErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'INTERNAL_SERVER_ERROR';

/** The processor's answer to a {@link SignalCommand}. */
export type SignalCommandReply =
  { ok: true; signalId: string; deleted?: boolean } | { ok: false; code: SignalCommandErrorCode; message: string };
