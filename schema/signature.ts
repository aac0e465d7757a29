import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What a device signs, besides the body: see {@link signingStringFor}. */
export interface SignedRequestParts {
  deviceId: string;
  /** `X-Timestamp` exactly as sent (epoch ms, decimal). */
  timestamp: string;
  /** `X-Nonce` as sent. */
  nonce: string;
  /** The raw body bytes as received. */
  body: Buffer;
}

/** Pattern of an acceptable `X-Nonce`. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * A device's own key: HMAC-SHA256(key = the fleet secret as UTF-8, message = deviceId as UTF-8),
 * the raw 32 bytes. One device's key opens no other device.
 */
export function deviceKeyFor(fleetSecret: string, deviceId: string): Buffer {
  return createHmac('sha256', Buffer.from(fleetSecret, 'utf8')).update(deviceId, 'utf8').digest();
}

/** Lowercase hex SHA-256 of the raw body bytes. */
export function bodySha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The signed parts with the body as its digest: what the signature actually covers. */
export interface SignedDigestParts extends Omit<SignedRequestParts, 'body'> {
  /** {@link bodySha256Hex} of the raw body. */
  bodySha256: string;
}

function digestPartsOf({ deviceId, timestamp, nonce, body }: SignedRequestParts): SignedDigestParts {
  return { deviceId, timestamp, nonce, bodySha256: bodySha256Hex(body) };
}

/** `deviceId + "\n" + timestamp + "\n" + nonce + "\n" + hex(sha256(body))`. */
export function signingStringFor(parts: SignedRequestParts): string {
  return signingStringOfDigest(digestPartsOf(parts));
}

function signingStringOfDigest(parts: SignedDigestParts): string {
  return `${parts.deviceId}\n${parts.timestamp}\n${parts.nonce}\n${parts.bodySha256}`;
}

/** The `X-Signature` a device sends: lowercase hex HMAC-SHA256(deviceKey, signing string). */
export function signXRay(fleetSecret: string, parts: SignedRequestParts): string {
  return signatureOfDigest(fleetSecret, digestPartsOf(parts)).toString('hex');
}

function signatureOfDigest(fleetSecret: string, parts: SignedDigestParts): Buffer {
  return createHmac('sha256', deviceKeyFor(fleetSecret, parts.deviceId))
    .update(signingStringOfDigest(parts), 'utf8')
    .digest();
}

/** Constant-time check of an `X-Signature`; false for anything that is not 64 hex chars. */
export function isValidXRaySignature(fleetSecret: string, parts: SignedRequestParts, signature: string): boolean {
  return isValidXRaySignatureOfDigest(fleetSecret, digestPartsOf(parts), signature);
}

/**
 * {@link isValidXRaySignature} for a caller that needs the body's digest anyway (the processor
 * stores it), so a 72 KB body is hashed once, not twice.
 */
export function isValidXRaySignatureOfDigest(
  fleetSecret: string,
  parts: SignedDigestParts,
  signature: string,
): boolean {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(signatureOfDigest(fleetSecret, parts), Buffer.from(signature, 'hex'));
}
