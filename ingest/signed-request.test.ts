import { isWithinClockSkew, parseSignedRequestHeaders } from './signed-request';

const VALID = {
  'x-device-id': 'device-1',
  'x-timestamp': '1700000000000',
  'x-nonce': 'abcdefghijklmnop',
  'x-signature': 'a'.repeat(64),
};

describe('parseSignedRequestHeaders', () => {
  it('reads well-formed authentication headers', () => {
    expect(parseSignedRequestHeaders(VALID)).toEqual({
      ok: true,
      value: {
        deviceId: 'device-1',
        timestamp: '1700000000000',
        timestampMs: 1_700_000_000_000,
        nonce: 'abcdefghijklmnop',
        signature: 'a'.repeat(64),
      },
    });
  });

  it('refuses as unauthenticated, naming each missing header', () => {
    const result = parseSignedRequestHeaders({ 'x-device-id': 'device-1', 'x-nonce': '   ' });
    expect(result).toEqual({
      ok: false,
      refusal: {
        code: 'MISSING_AUTHENTICATION',
        message: expect.any(String),
        details: [
          { path: 'headers.x-timestamp', message: 'header is required' },
          { path: 'headers.x-nonce', message: 'header is required' },
          { path: 'headers.x-signature', message: 'header is required' },
        ],
      },
    });
  });

  it('refuses a nonce shorter than 16 characters', () => {
    const result = parseSignedRequestHeaders({ ...VALID, 'x-nonce': 'abcdefghijklmno' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.refusal.details.map((d) => d.path)).toEqual(['headers.x-nonce']);
  });

  it('refuses a nonce longer than 64 characters or with other characters', () => {
    for (const nonce of ['a'.repeat(65), 'abcdefghijklmnop!', 'abcdefghijklmnop=']) {
      const result = parseSignedRequestHeaders({ ...VALID, 'x-nonce': nonce });
      expect(result).toMatchObject({ ok: false, refusal: { code: 'INVALID_HEADER' } });
    }
  });

  it('accepts nonces of 16 and 64 characters with _ and -', () => {
    for (const nonce of ['a-b_c'.padEnd(16, 'x'), 'Z9_-'.repeat(16)]) {
      expect(parseSignedRequestHeaders({ ...VALID, 'x-nonce': nonce }).ok).toBe(true);
    }
  });

  it('refuses a timestamp that is not a decimal integer, an uppercase signature and a bad device id together', () => {
    const result = parseSignedRequestHeaders({
      ...VALID,
      'x-timestamp': '1.7e12',
      'x-signature': 'A'.repeat(64),
      'x-device-id': 'dev/1',
    });
    expect(result).toMatchObject({ ok: false, refusal: { code: 'INVALID_HEADER' } });
    if (!result.ok) {
      expect(result.refusal.details.map((d) => d.path)).toEqual([
        'headers.x-device-id',
        'headers.x-timestamp',
        'headers.x-signature',
      ]);
    }
  });
});

describe('isWithinClockSkew', () => {
  const now = 1_700_000_000_000;
  const skew = 300_000;

  it('accepts timestamps exactly 300 s behind or ahead', () => {
    expect(isWithinClockSkew(now - skew, now, skew)).toBe(true);
    expect(isWithinClockSkew(now + skew, now, skew)).toBe(true);
  });

  it('refuses timestamps one millisecond beyond 300 s either way', () => {
    expect(isWithinClockSkew(now - skew - 1, now, skew)).toBe(false);
    expect(isWithinClockSkew(now + skew + 1, now, skew)).toBe(false);
  });
});
