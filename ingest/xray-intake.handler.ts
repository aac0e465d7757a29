import { randomUUID } from 'node:crypto';
import type { Logger } from '../schema';
import { HTTP_HEADERS, isValidXRaySignature, validateXRayMessage } from '../schema';
import { correlationIdFrom } from './correlation-id';
import { type IngestErrorCode, type IngestErrorDetail, errorBody, statusOf } from './ingest-error';
import {
  type DeviceRateLimiter,
  DependencyUnavailableError,
  type NonceClaim,
  type NonceStore,
  type RawXRayPublisher,
} from './intake.ports';
import {
  type RequestHeaders,
  type SignedRequestHeaders,
  isWithinClockSkew,
  parseSignedRequestHeaders,
} from './signed-request';

/** Wait before trying once more to keep the nonce of an answered request. */
const NONCE_KEEP_RETRY_DELAY_MS = 1_000;

/** One `POST /v1/xray` as any transport hands it over. */
export interface XRayIntakeRequest {
  /** Lowercase header names, first value only. */
  headers: RequestHeaders;
  /** The raw body bytes (content type and size were checked by the transport). */
  body: Buffer;
}

/** The answer, for the transport to write. */
export interface XRayIntakeResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** The refusal code, when refused (for metrics and logs). */
  refusal?: IngestErrorCode;
}

/** Body of a 202. */
export interface XRayAccepted {
  messageId: string;
  deviceId: string;
}

export interface XRayIntakeDeps {
  hmacSecret: string;
  maxClockSkewMs: number;
  nonces: NonceStore;
  rateLimiter: DeviceRateLimiter;
  publisher: RawXRayPublisher;
  logger: Logger;
  /** Publish latency, confirmed or not. */
  observePublish?: (seconds: number, confirmed: boolean) => void;
  now?: () => number;
}

/**
 * The ingest contract without sockets. Checks run cheapest-first, and nothing that costs a device anything (its
 * rate quota, its nonce) is touched before the signature over the raw bytes proved the request is the device's.
 * Order: headers → clock window → signature → nonce → rate quota → JSON and schema → publish with confirm.
 * The nonce comes before the quota because a replay of a captured request passes the signature: it is refused
 * without spending the device's quota. An accepted message and one refused for its body (400) keep their nonce;
 * one refused for the moment (429, 503) gives it back, and one that could not be published its quota too, so the
 * device may resend it unchanged. While a request is processed its nonce is in flight: the same request resent
 * meanwhile gets 503 `REQUEST_IN_PROGRESS`, since the first may yet give the nonce back.
 */
export function createXRayIntake(deps: XRayIntakeDeps): (request: XRayIntakeRequest) => Promise<XRayIntakeResponse> {
  const now = deps.now ?? Date.now;

  return async function handleXRayRequest(request) {
    const correlationId = correlationIdFrom(request.headers[HTTP_HEADERS.correlationId]);
    const log = deps.logger.child({ correlationId });
    const responseHeaders: Record<string, string> = { 'x-correlation-id': correlationId };
    const refuse = (
      code: IngestErrorCode,
      message: string,
      details?: IngestErrorDetail[],
      extraHeaders: Record<string, string> = {},
    ): XRayIntakeResponse => {
      const body = errorBody(code, message, details);
      log.info({ code, details: body.error.details }, 'x-ray refused');
      return { status: statusOf(code), headers: { ...responseHeaders, ...extraHeaders }, body, refusal: code };
    };

    const parsedHeaders = parseSignedRequestHeaders(request.headers);
    if (!parsedHeaders.ok) {
      const { code, message, details } = parsedHeaders.refusal;
      return refuse(code, message, details);
    }
    const signed = parsedHeaders.value;
    const receivedAt = now();

    if (!isWithinClockSkew(signed.timestampMs, receivedAt, deps.maxClockSkewMs)) {
      return refuse(
        'TIMESTAMP_OUT_OF_WINDOW',
        `X-Timestamp is more than ${Math.round(deps.maxClockSkewMs / 1000)} s away from the server clock`,
        [{ path: `headers.${HTTP_HEADERS.timestamp}`, message: `server time is ${receivedAt}` }],
      );
    }
    const parts = { deviceId: signed.deviceId, timestamp: signed.timestamp, nonce: signed.nonce, body: request.body };
    if (!isValidXRaySignature(deps.hmacSecret, parts, signed.signature)) {
      return refuse('SIGNATURE_MISMATCH', 'X-Signature does not match this device, timestamp, nonce and body');
    }

    try {
      // The nonce before anything else: a replayed request carries a valid signature, and must not
      // spend the device's quota (locking the device out) nor our time on its body.
      const token = randomUUID();
      let claim: NonceClaim;
      try {
        claim = await deps.nonces.claim(signed.deviceId, signed.nonce, token);
      } catch (error) {
        // A claim that timed out may still run once Redis resumes: the release, sent after it on
        // the same connection, runs after it. Should it not run either (the connection dropped),
        // the claim lapses by itself after the pending TTL. Not awaited: a stalled Redis would hold
        // the 503 for another command timeout.
        void releaseNonce(signed.deviceId, signed.nonce, token);
        throw error;
      }
      if (claim === 'used') {
        return refuse('NONCE_REUSED', 'X-Nonce was already used by this device within the replay window', [
          { path: `headers.${HTTP_HEADERS.nonce}`, message: 'already seen' },
        ]);
      }
      if (claim === 'in-flight') {
        // Not 409: the first attempt may still fail and give its nonce back, and the device must not
        // take a request that may yet be refused for one accepted.
        return refuse(
          'REQUEST_IN_PROGRESS',
          'a request with this X-Nonce is still being processed; resend it unchanged shortly',
          [{ path: `headers.${HTTP_HEADERS.nonce}`, message: 'in use by a request not answered yet' }],
          { 'retry-after': '1' },
        );
      }
      // A request refused for what it is (its body) keeps its nonce: the same bytes would be refused
      // again, and a replay of it must stop at the nonce rather than spend the device's quota. One
      // refused for the moment (rate limit, a dependency away) gives it back, so the device can
      // resend it unchanged.
      let answer: XRayIntakeResponse;
      try {
        answer = await admitAndPublish(signed, request.body, receivedAt);
      } catch (error) {
        await releaseNonce(signed.deviceId, signed.nonce, token);
        throw error;
      }
      // Kept without holding the answer back (awaited, this round trip cost about a seventh of the
      // accepted rate in the throughput benchmark): a replay meanwhile finds the nonce in flight
      // (503, retry), one after finds it used (409). A failed keep is tried once more a second
      // later; should that fail too, the hold lapses after its TTL instead of the replay window.
      if (answer.status === 202 || answer.status === 400) void keepNonce(signed.deviceId, signed.nonce, token);
      else await releaseNonce(signed.deviceId, signed.nonce, token);
      return answer;
    } catch (error) {
      if (error instanceof DependencyUnavailableError) {
        log.warn({ err: error, dependency: error.dependency }, 'x-ray refused: dependency unavailable');
        return error.dependency === 'broker'
          ? refuse(
              'BROKER_UNAVAILABLE',
              'the message broker did not confirm the message; resend it unchanged later (should it have arrived after all, it is stored once)',
              undefined,
              { 'retry-after': '1' },
            )
          : refuse(
              'DEPENDENCY_UNAVAILABLE',
              'a dependency of ingest is unavailable; nothing was stored, retry later',
              undefined,
              {
                'retry-after': '1',
              },
            );
      }
      log.error({ err: error }, 'x-ray failed unexpectedly');
      return refuse('INTERNAL_ERROR', 'unexpected error; nothing was stored');
    }

    /** Rate quota, JSON and schema, then the publish with confirm; the nonce is already claimed. */
    async function admitAndPublish(
      signed: SignedRequestHeaders,
      body: Buffer,
      receivedAt: number,
    ): Promise<XRayIntakeResponse> {
      const decision = await deps.rateLimiter.consume(signed.deviceId);
      if (!decision.allowed) {
        const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        return refuse(
          'RATE_LIMITED',
          `device ${signed.deviceId} sent too many messages; retry in ${retryAfterSeconds} s`,
          undefined,
          { 'retry-after': String(retryAfterSeconds) },
        );
      }

      let parsedBody: unknown;
      try {
        parsedBody = JSON.parse(body.toString('utf8'));
      } catch (error) {
        return refuse('MALFORMED_JSON', 'the body is not valid JSON', [
          { path: '$', message: (error as Error).message },
        ]);
      }
      const validation = validateXRayMessage(parsedBody, { nowMs: receivedAt, expectedDeviceId: signed.deviceId });
      if (!validation.ok) {
        return refuse('SCHEMA_VIOLATION', 'the message does not follow the x-ray schema', validation.issues);
      }

      const messageId = randomUUID();
      const startedAt = process.hrtime.bigint();
      try {
        await deps.publisher.publish({
          messageId,
          correlationId,
          deviceId: signed.deviceId,
          timestamp: signed.timestamp,
          nonce: signed.nonce,
          signature: signed.signature,
          acceptedAt: receivedAt,
          body,
        });
        deps.observePublish?.(Number(process.hrtime.bigint() - startedAt) / 1e9, true);
      } catch (error) {
        deps.observePublish?.(Number(process.hrtime.bigint() - startedAt) / 1e9, false);
        await refundQuota(signed.deviceId);
        throw error;
      }
      log.info({ messageId, deviceId: signed.deviceId, bytes: body.length }, 'x-ray accepted');
      const accepted: XRayAccepted = { messageId, deviceId: signed.deviceId };
      return { status: 202, headers: responseHeaders, body: accepted };
    }

    async function releaseNonce(deviceId: string, nonce: string, token: string): Promise<void> {
      try {
        await deps.nonces.release(deviceId, nonce, token);
      } catch (error) {
        log.warn({ err: error }, 'could not give the nonce back; it lapses after the pending TTL');
      }
    }

    async function keepNonce(deviceId: string, nonce: string, token: string): Promise<void> {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await deps.nonces.keep(deviceId, nonce, token);
          return;
        } catch (error) {
          if (attempt >= 2) {
            log.warn({ err: error }, 'could not keep the nonce for the replay window; it lapses after the pending TTL');
            return;
          }
        }
        // Unref'd: a stopping ingest does not wait for it (the hold lapses by itself).
        await new Promise((resolve) => setTimeout(resolve, NONCE_KEEP_RETRY_DELAY_MS).unref());
      }
    }

    async function refundQuota(deviceId: string): Promise<void> {
      try {
        await deps.rateLimiter.refund(deviceId);
      } catch (error) {
        log.warn({ err: error }, 'could not give the rate quota back');
      }
    }
  };
}
