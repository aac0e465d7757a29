import { DEVICE_ID_PATTERN, HTTP_HEADERS, NONCE_PATTERN } from '../schema';
import type { IngestErrorCode, IngestErrorDetail } from './ingest-error';

/** Request headers as a transport hands them over: lowercase names, first value only. */
export type RequestHeaders = Readonly<Record<string, string | undefined>>;

/** The authentication headers of one request, well-formed but not yet verified. */
export interface SignedRequestHeaders {
  deviceId: string;
  /** `X-Timestamp` exactly as sent: it is part of the signed string. */
  timestamp: string;
  timestampMs: number;
  nonce: string;
  signature: string;
}

/** Why the authentication headers are unusable. */
export interface HeaderRefusal {
  code: Extract<IngestErrorCode, 'MISSING_AUTHENTICATION' | 'INVALID_HEADER'>;
  message: string;
  details: IngestErrorDetail[];
}

const TIMESTAMP_PATTERN = /^\d{1,16}$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Reads `X-Device-Id`, `X-Timestamp`, `X-Nonce` and `X-Signature`. Any of them missing is a 401 (the request
 * is not authenticated at all); present but malformed is a 400 naming each bad header.
 */
export function parseSignedRequestHeaders(
  headers: RequestHeaders,
): { ok: true; value: SignedRequestHeaders } | { ok: false; refusal: HeaderRefusal } {
  const read = (name: string): string | undefined => {
    const value = headers[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const deviceId = read(HTTP_HEADERS.deviceId);
  const timestamp = read(HTTP_HEADERS.timestamp);
  const nonce = read(HTTP_HEADERS.nonce);
  const signature = read(HTTP_HEADERS.signature);

  const missing = (
    [
      [HTTP_HEADERS.deviceId, deviceId],
      [HTTP_HEADERS.timestamp, timestamp],
      [HTTP_HEADERS.nonce, nonce],
      [HTTP_HEADERS.signature, signature],
    ] as const
  )
    .filter(([, value]) => value === undefined)
    .map(([name]) => ({ path: `headers.${name}`, message: 'header is required' }));
  if (missing.length > 0 || !deviceId || !timestamp || !nonce || !signature) {
    return {
      ok: false,
      refusal: {
        code: 'MISSING_AUTHENTICATION',
        message: 'the request is not signed: authentication headers are missing',
        details: missing,
      },
    };
  }

  const invalid: IngestErrorDetail[] = [];
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    invalid.push({ path: `headers.${HTTP_HEADERS.deviceId}`, message: 'must match ^[A-Za-z0-9_-]{1,64}$' });
  }
  if (!TIMESTAMP_PATTERN.test(timestamp)) {
    invalid.push({
      path: `headers.${HTTP_HEADERS.timestamp}`,
      message: 'must be epoch milliseconds as a decimal integer',
    });
  }
  if (!NONCE_PATTERN.test(nonce)) {
    invalid.push({ path: `headers.${HTTP_HEADERS.nonce}`, message: 'must be 16-64 characters of [A-Za-z0-9_-]' });
  }
  if (!SIGNATURE_PATTERN.test(signature)) {
    invalid.push({ path: `headers.${HTTP_HEADERS.signature}`, message: 'must be 64 lowercase hex characters' });
  }
  if (invalid.length > 0) {
    return {
      ok: false,
      refusal: { code: 'INVALID_HEADER', message: 'authentication headers are malformed', details: invalid },
    };
  }
  return { ok: true, value: { deviceId, timestamp, timestampMs: Number(timestamp), nonce, signature } };
}

/** Whether a request signed at `timestampMs` is fresh enough: |now − timestamp| <= maxSkewMs. */
export function isWithinClockSkew(timestampMs: number, nowMs: number, maxSkewMs: number): boolean {
  return Math.abs(nowMs - timestampMs) <= maxSkewMs;
}
