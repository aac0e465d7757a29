import {
  bodySha256Hex,
  deviceKeyFor,
  isValidXRaySignature,
  isValidXRaySignatureOfDigest,
  signXRay,
  type SignedRequestParts,
} from './signature';

// Vectors computed independently with Python's hmac/hashlib:
//   key = hmac.new(b'fleet-secret', b'dev-1', sha256).digest()
//   sig = hmac.new(key, f"dev-1\n1735683480123\nnonce-0123456789abcdef\n{sha256(body).hexdigest()}".encode(), sha256)
const FLEET_SECRET = 'fleet-secret';
const parts: SignedRequestParts = {
  deviceId: 'dev-1',
  timestamp: '1735683480123',
  nonce: 'nonce-0123456789abcdef',
  body: Buffer.from('{"dev-1":{"data":[[0,[1,2,3]]],"time":1735683480000}}'),
};

describe('x-ray signatures', () => {
  it('derives the device key as HMAC-SHA256 of the device id under the fleet secret', () => {
    expect(deviceKeyFor(FLEET_SECRET, 'dev-1').toString('hex')).toBe(
      '1592f6d8be2a549d5e730a23d8a64dd9d56f3c0b20fc3ccf5e0aa02fe018c315',
    );
  });

  it('hashes the raw body bytes', () => {
    expect(bodySha256Hex(parts.body)).toBe('2569da5626b6a36e436ba03d6ec3b485e126a6a9df6f985671260090d30d3260');
  });

  it('signs the known vector', () => {
    expect(signXRay(FLEET_SECRET, parts)).toBe('f729e122100316b842bee4aa9869e3005b3f7901c27fa0037c2613d26938f9ba');
  });

  it('accepts the right signature and refuses one for another device, body or nonce', () => {
    const signature = signXRay(FLEET_SECRET, parts);
    expect(isValidXRaySignature(FLEET_SECRET, parts, signature)).toBe(true);
    expect(isValidXRaySignature(FLEET_SECRET, { ...parts, deviceId: 'dev-2' }, signature)).toBe(false);
    expect(isValidXRaySignature(FLEET_SECRET, { ...parts, body: Buffer.from('{}') }, signature)).toBe(false);
    expect(isValidXRaySignature(FLEET_SECRET, { ...parts, nonce: 'nonce-0123456789abcdeX' }, signature)).toBe(false);
    expect(isValidXRaySignature('other-secret', parts, signature)).toBe(false);
  });

  it('checks the known vector against the body digest alone, and refuses another digest', () => {
    const { body, ...rest } = parts;
    const signature = 'f729e122100316b842bee4aa9869e3005b3f7901c27fa0037c2613d26938f9ba';
    expect(isValidXRaySignatureOfDigest(FLEET_SECRET, { ...rest, bodySha256: bodySha256Hex(body) }, signature)).toBe(
      true,
    );
    const otherDigest = bodySha256Hex(Buffer.from('{}'));
    expect(isValidXRaySignatureOfDigest(FLEET_SECRET, { ...rest, bodySha256: otherDigest }, signature)).toBe(false);
    expect(
      isValidXRaySignatureOfDigest(FLEET_SECRET, { ...rest, bodySha256: bodySha256Hex(body) }, 'F'.repeat(64)),
    ).toBe(false);
  });

  it('refuses signatures that are not 64 lowercase hex characters', () => {
    const signature = signXRay(FLEET_SECRET, parts);
    expect(isValidXRaySignature(FLEET_SECRET, parts, signature.toUpperCase())).toBe(false);
    expect(isValidXRaySignature(FLEET_SECRET, parts, signature.slice(2))).toBe(false);
    expect(isValidXRaySignature(FLEET_SECRET, parts, '')).toBe(false);
  });
});
