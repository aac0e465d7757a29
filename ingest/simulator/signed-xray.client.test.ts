import { signedXRayHeaders } from './signed-xray.client';

/*
 * Known vector, derived independently of this code base with OpenSSL:
 *   printf '%s' "$BODY" > body.json
 *   BODYHASH=$(openssl dgst -sha256 -r body.json | cut -d' ' -f1)
 *   KEY=$(printf '%s' device-042 | openssl dgst -sha256 -mac HMAC -macopt key:fleet-secret-for-known-vector-0001 -r | cut -d' ' -f1)
 *   printf '%s\n%s\n%s\n%s' device-042 1700000000000 n0nce_ABCDEFGHijkl "$BODYHASH" \
 *     | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY -r
 * and cross-checked with Python's hmac module.
 */
const KNOWN = {
  secret: 'fleet-secret-for-known-vector-0001',
  deviceId: 'device-042',
  timestampMs: 1_700_000_000_000,
  nonce: 'n0nce_ABCDEFGHijkl',
  body: '{"device-042":{"data":[[0,[51.5,-0.12,1.5]]],"time":1700000000000}}',
  signature: '2dcdfb726bf78518c457a4b3530c4a4f39181e5feb3b41922aa22f163a1c338e',
};

describe('signedXRayHeaders', () => {
  it('signs the known vector exactly as OpenSSL does', () => {
    const headers = signedXRayHeaders({
      fleetSecret: KNOWN.secret,
      deviceId: KNOWN.deviceId,
      body: Buffer.from(KNOWN.body, 'utf8'),
      timestampMs: KNOWN.timestampMs,
      nonce: KNOWN.nonce,
    });
    expect(headers).toEqual({
      'content-type': 'application/json',
      'x-device-id': KNOWN.deviceId,
      'x-timestamp': '1700000000000',
      'x-nonce': KNOWN.nonce,
      'x-signature': KNOWN.signature,
    });
  });

  it('gives another device a different signature for the same body, time and nonce', () => {
    const other = signedXRayHeaders({
      fleetSecret: KNOWN.secret,
      deviceId: 'device-043',
      body: Buffer.from(KNOWN.body, 'utf8'),
      timestampMs: KNOWN.timestampMs,
      nonce: KNOWN.nonce,
    });
    expect(other['x-signature']).not.toBe(KNOWN.signature);
  });

  it('changes the signature when one body byte changes', () => {
    const tampered = signedXRayHeaders({
      fleetSecret: KNOWN.secret,
      deviceId: KNOWN.deviceId,
      body: Buffer.from(KNOWN.body.replace('1.5]', '1.6]'), 'utf8'),
      timestampMs: KNOWN.timestampMs,
      nonce: KNOWN.nonce,
    });
    expect(tampered['x-signature']).not.toBe(KNOWN.signature);
  });

  it('draws a fresh nonce that the contract accepts when none is given', () => {
    const a = signedXRayHeaders({ fleetSecret: KNOWN.secret, deviceId: KNOWN.deviceId, body: Buffer.from('{}') });
    const b = signedXRayHeaders({ fleetSecret: KNOWN.secret, deviceId: KNOWN.deviceId, body: Buffer.from('{}') });
    expect(a['x-nonce']).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(a['x-nonce']).not.toBe(b['x-nonce']);
  });
});
