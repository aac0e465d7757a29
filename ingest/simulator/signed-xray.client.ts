import { randomBytes } from 'node:crypto';
import { HTTP_HEADERS, signXRay } from '../../schema';

/** The headers of one signed `POST /v1/xray`. */
export interface SignedXRayHeaders {
  'content-type': 'application/json';
  'x-device-id': string;
  'x-timestamp': string;
  'x-nonce': string;
  'x-signature': string;
  'x-correlation-id'?: string;
}

export interface SigningInput {
  fleetSecret: string;
  deviceId: string;
  body: Buffer;
  /** Epoch ms; the current time when omitted. */
  timestampMs?: number;
  /** A fresh random nonce when omitted. */
  nonce?: string;
  correlationId?: string;
}

/** A fresh nonce: 24 random bytes as base64url (32 characters of [A-Za-z0-9_-]). */
export function freshNonce(): string {
  return randomBytes(24).toString('base64url');
}

/** The headers that sign `body` as `deviceId`'s, per the ingest contract. Pure apart from the defaults. */
export function signedXRayHeaders(input: SigningInput): SignedXRayHeaders {
  const timestamp = String(input.timestampMs ?? Date.now());
  const nonce = input.nonce ?? freshNonce();
  const signature = signXRay(input.fleetSecret, { deviceId: input.deviceId, timestamp, nonce, body: input.body });
  const headers: SignedXRayHeaders = {
    'content-type': 'application/json',
    [HTTP_HEADERS.deviceId]: input.deviceId,
    [HTTP_HEADERS.timestamp]: timestamp,
    [HTTP_HEADERS.nonce]: nonce,
    [HTTP_HEADERS.signature]: signature,
  } as SignedXRayHeaders;
  if (input.correlationId) headers['x-correlation-id'] = input.correlationId;
  return headers;
}

/** Ingest's answer to one post. */
export interface PostResult {
  status: number;
  /** Parsed JSON body (undefined if the body was not JSON). */
  body: unknown;
  headers: Headers;
  latencyMs: number;
}

/** Signs and posts one x-ray message to `<baseUrl>/v1/xray`. Network failures reject. */
export async function postSignedXRay(
  baseUrl: string,
  input: SigningInput & { signal?: AbortSignal },
): Promise<PostResult> {
  const headers = signedXRayHeaders(input);
  const started = performance.now();
  // Relative to the base URL's path, so an ingest behind a path prefix (`https://host/ingest/`) is reached.
  const response = await fetch(new URL('v1/xray', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`), {
    method: 'POST',
    headers: headers as unknown as Record<string, string>,
    // A Uint8Array view: TypeScript's fetch body types do not take a Buffer over an ArrayBufferLike.
    body: new Uint8Array(input.body),
    signal: input.signal,
  });
  const text = await response.text();
  const latencyMs = performance.now() - started;
  let body: unknown;
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body, headers: response.headers, latencyMs };
}
