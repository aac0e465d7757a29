import { silentLogger } from '../schema';
import {
  type DeviceRateLimiter,
  DependencyUnavailableError,
  type NonceClaim,
  type NonceStore,
  type RawXRayEnvelope,
  type RawXRayPublisher,
} from './intake.ports';
import { signedXRayHeaders } from './simulator/signed-xray.client';
import { createXRayIntake } from './xray-intake.handler';

const SECRET = 'unit-test-fleet-secret-0123456789abcdef';
const NOW = Date.UTC(2026, 0, 1, 12);

/** Nonce → the token of the request holding it, or `used`. */
class MemoryNonces implements NonceStore {
  readonly seen = new Map<string, string>();
  async claim(deviceId: string, nonce: string, token: string): Promise<NonceClaim> {
    const held = this.seen.get(`${deviceId}:${nonce}`);
    if (held === undefined) {
      this.seen.set(`${deviceId}:${nonce}`, token);
      return 'claimed';
    }
    return held === 'used' ? 'used' : 'in-flight';
  }
  async keep(deviceId: string, nonce: string, token: string) {
    const held = this.seen.get(`${deviceId}:${nonce}`);
    if (held === undefined || held === token) this.seen.set(`${deviceId}:${nonce}`, 'used');
  }
  async release(deviceId: string, nonce: string, token: string) {
    if (this.seen.get(`${deviceId}:${nonce}`) === token) this.seen.delete(`${deviceId}:${nonce}`);
  }
}

class MemoryRateLimiter implements DeviceRateLimiter {
  readonly used = new Map<string, number>();
  constructor(private readonly limit: number) {}
  async consume(deviceId: string) {
    const used = (this.used.get(deviceId) ?? 0) + 1;
    this.used.set(deviceId, used);
    return used > this.limit ? { allowed: false as const, retryAfterMs: 12_345 } : { allowed: true as const };
  }
  async refund(deviceId: string) {
    this.used.set(deviceId, (this.used.get(deviceId) ?? 1) - 1);
  }
}

class MemoryPublisher implements RawXRayPublisher {
  readonly published: RawXRayEnvelope[] = [];
  failWith: Error | undefined;
  async publish(envelope: RawXRayEnvelope) {
    if (this.failWith) throw this.failWith;
    this.published.push(envelope);
  }
}

function setup(rateLimit = 10, options: { secret?: string; now?: number } = {}) {
  const nonces = new MemoryNonces();
  const rateLimiter = new MemoryRateLimiter(rateLimit);
  const publisher = new MemoryPublisher();
  const handle = createXRayIntake({
    hmacSecret: options.secret ?? SECRET,
    maxClockSkewMs: 300_000,
    nonces,
    rateLimiter,
    publisher,
    logger: silentLogger(),
    now: () => options.now ?? NOW,
  });
  return { nonces, rateLimiter, publisher, handle };
}

function message(deviceId = 'dev-1', time = NOW - 60_000): Buffer {
  return Buffer.from(
    JSON.stringify({
      [deviceId]: {
        data: [
          [0, [51.5, -0.12, 1.5]],
          [1000, [51.50001, -0.12, 1.6]],
        ],
        time,
      },
    }),
  );
}

function signed(
  body: Buffer,
  overrides: { deviceId?: string; timestampMs?: number; nonce?: string; secret?: string } = {},
) {
  const headers = signedXRayHeaders({
    fleetSecret: overrides.secret ?? SECRET,
    deviceId: overrides.deviceId ?? 'dev-1',
    body,
    timestampMs: overrides.timestampMs ?? NOW,
    nonce: overrides.nonce,
    correlationId: 'corr-1',
  });
  return { headers: headers as unknown as Record<string, string>, body };
}

describe('createXRayIntake', () => {
  it('verifies the OpenSSL-derived known vector (see simulator/signed-xray.client.test.ts) and nothing else', async () => {
    const { handle } = setup(10, { secret: 'fleet-secret-for-known-vector-0001', now: 1_700_000_000_000 });
    const body = Buffer.from('{"device-042":{"data":[[0,[51.5,-0.12,1.5]]],"time":1700000000000}}', 'utf8');
    const headers = {
      'content-type': 'application/json',
      'x-device-id': 'device-042',
      'x-timestamp': '1700000000000',
      'x-nonce': 'n0nce_ABCDEFGHijkl',
      'x-signature': '2dcdfb726bf78518c457a4b3530c4a4f39181e5feb3b41922aa22f163a1c338e',
    };
    const flipped = { ...headers, 'x-signature': '3dcdfb726bf78518c457a4b3530c4a4f39181e5feb3b41922aa22f163a1c338e' };
    expect((await handle({ headers: flipped, body })).status).toBe(401);
    expect((await handle({ headers, body })).status).toBe(202);
  });

  it('publishes the raw bytes with the signature parts and answers 202 with the message id', async () => {
    const { handle, publisher } = setup();
    const request = signed(message());
    const answer = await handle(request);
    expect(answer.status).toBe(202);
    expect(publisher.published).toHaveLength(1);
    const envelope = publisher.published[0] as RawXRayEnvelope;
    expect(answer.body).toEqual({ messageId: envelope.messageId, deviceId: 'dev-1' });
    expect(envelope.body.equals(request.body)).toBe(true);
    expect(envelope).toMatchObject({
      correlationId: 'corr-1',
      deviceId: 'dev-1',
      timestamp: String(NOW),
      nonce: request.headers['x-nonce'],
      signature: request.headers['x-signature'],
      acceptedAt: NOW,
    });
    expect(answer.headers['x-correlation-id']).toBe('corr-1');
  });

  it('refuses a wrong signature without touching the nonce or the rate quota', async () => {
    const { handle, nonces, rateLimiter, publisher } = setup();
    const answer = await handle(signed(message(), { secret: 'another-fleet-secret-0123456789abcdef' }));
    expect(answer).toMatchObject({ status: 401, refusal: 'SIGNATURE_MISMATCH' });
    expect(nonces.seen.size).toBe(0);
    expect(rateLimiter.used.size).toBe(0);
    expect(publisher.published).toHaveLength(0);
  });

  it('refuses a body changed after signing', async () => {
    const { handle } = setup();
    const request = signed(message());
    const answer = await handle({ ...request, body: message('dev-1', NOW - 59_000) });
    expect(answer).toMatchObject({ status: 401, refusal: 'SIGNATURE_MISMATCH' });
  });

  it('refuses a timestamp 300,001 ms old before looking at the signature', async () => {
    const { handle, nonces } = setup();
    const answer = await handle(signed(message(), { timestampMs: NOW - 300_001 }));
    expect(answer).toMatchObject({ status: 401, refusal: 'TIMESTAMP_OUT_OF_WINDOW' });
    expect(nonces.seen.size).toBe(0);
  });

  it('refuses a reused nonce with 409', async () => {
    const { handle, publisher } = setup();
    const first = await handle(signed(message(), { nonce: 'same-nonce-000001' }));
    const second = await handle(signed(message(), { nonce: 'same-nonce-000001' }));
    expect(first.status).toBe(202);
    expect(second).toMatchObject({ status: 409, refusal: 'NONCE_REUSED' });
    expect(publisher.published).toHaveLength(1);
  });

  it('refuses replays of an accepted request without spending the device quota', async () => {
    const { handle, publisher, rateLimiter } = setup(2);
    const captured = signed(message());
    expect((await handle(captured)).status).toBe(202);
    for (let replay = 0; replay < 5; replay += 1) {
      expect(await handle(captured)).toMatchObject({ status: 409, refusal: 'NONCE_REUSED' });
    }
    expect(rateLimiter.used.get('dev-1')).toBe(1);
    expect((await handle(signed(message()))).status).toBe(202);
    expect(publisher.published).toHaveLength(2);
  });

  it('keeps the nonce of a request refused for its body, and gives back that of one refused for the moment', async () => {
    const { handle, nonces, rateLimiter } = setup(2);
    const invalid = signed(message('dev-1', NOW + 2 * 24 * 60 * 60 * 1000));
    expect(await handle(invalid)).toMatchObject({ status: 400, refusal: 'SCHEMA_VIOLATION' });
    // Replays of it stop at the nonce, without spending the device's quota.
    for (let replay = 0; replay < 5; replay += 1) {
      expect(await handle(invalid)).toMatchObject({ status: 409, refusal: 'NONCE_REUSED' });
    }
    expect(rateLimiter.used.get('dev-1')).toBe(1);
    expect((await handle(signed(message()))).status).toBe(202);
    const limited = signed(message());
    expect(await handle(limited)).toMatchObject({ status: 429, refusal: 'RATE_LIMITED' });
    expect(await handle(limited)).toMatchObject({ status: 429, refusal: 'RATE_LIMITED' });
    expect(nonces.seen.size).toBe(2);
  });

  it('gives the nonce back when its claim fails, so the request can be resent once Redis answers', async () => {
    const { handle, nonces } = setup();
    const claim = nonces.claim.bind(nonces);
    let stalled = true;
    nonces.claim = async (deviceId, nonce, token) => {
      // As a claim the client gave up on that Redis still ran.
      const found = await claim(deviceId, nonce, token);
      if (stalled) throw new DependencyUnavailableError('redis', 'command timed out');
      return found;
    };
    const request = signed(message());
    expect(await handle(request)).toMatchObject({ status: 503, refusal: 'DEPENDENCY_UNAVAILABLE' });
    stalled = false;
    nonces.claim = claim;
    expect((await handle(request)).status).toBe(202);
  });

  it('answers a resend of a request still being processed with 503 REQUEST_IN_PROGRESS, then 409 once accepted', async () => {
    const { handle, publisher } = setup();
    let confirm!: () => void;
    const confirmed = new Promise<void>((resolve) => {
      confirm = resolve;
    });
    const publish = publisher.publish.bind(publisher);
    publisher.publish = async (envelope) => {
      await confirmed;
      await publish(envelope);
    };
    const request = signed(message());
    const first = handle(request);
    const resent = await handle(request);
    expect(resent).toMatchObject({ status: 503, refusal: 'REQUEST_IN_PROGRESS', headers: { 'retry-after': '1' } });
    confirm();
    expect((await first).status).toBe(202);
    expect(await handle(request)).toMatchObject({ status: 409, refusal: 'NONCE_REUSED' });
    expect(publisher.published).toHaveLength(1);
  });

  it('lets a failed attempt give back only its own claim, never that of a resend accepted after its claim lapsed', async () => {
    const { handle, nonces, publisher } = setup();
    let publishing!: () => void;
    const firstPublishing = new Promise<void>((resolve) => {
      publishing = resolve;
    });
    let failFirst!: (error: Error) => void;
    const firstFails = new Promise<void>((_, reject) => {
      failFirst = reject;
    });
    const publish = publisher.publish.bind(publisher);
    let calls = 0;
    publisher.publish = async (envelope) => {
      calls += 1;
      if (calls === 1) {
        publishing();
        await firstFails;
      }
      await publish(envelope);
    };
    const request = signed(message());
    const first = handle(request);
    await firstPublishing;
    // The first attempt outlived its claim (the pending TTL): the device's resend is accepted.
    nonces.seen.clear();
    expect((await handle(request)).status).toBe(202);
    failFirst(new DependencyUnavailableError('broker', 'no confirm'));
    expect(await first).toMatchObject({ status: 503, refusal: 'BROKER_UNAVAILABLE' });
    // Its release found the nonce held by the resend, and left it: replays stay refused.
    expect(await handle(request)).toMatchObject({ status: 409, refusal: 'NONCE_REUSED' });
    expect(publisher.published).toHaveLength(1);
  });

  it('keeps the nonce of an accepted request a second later when Redis refused the first try', async () => {
    const { handle, nonces } = setup();
    const keep = nonces.keep.bind(nonces);
    let failures = 1;
    nonces.keep = async (deviceId, nonce, token) => {
      if (failures > 0) {
        failures -= 1;
        throw new DependencyUnavailableError('redis', 'connection reset');
      }
      await keep(deviceId, nonce, token);
    };
    jest.useFakeTimers();
    try {
      const request = signed(message());
      expect((await handle(request)).status).toBe(202);
      // Still held by the answered request: a replay now is told to retry.
      expect(await handle(request)).toMatchObject({ status: 503, refusal: 'REQUEST_IN_PROGRESS' });
      await jest.advanceTimersByTimeAsync(1_000);
      expect(await handle(request)).toMatchObject({ status: 409, refusal: 'NONCE_REUSED' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses malformed JSON with 400', async () => {
    const { handle } = setup();
    const answer = await handle(signed(Buffer.from('{"dev-1": {')));
    expect(answer).toMatchObject({ status: 400, refusal: 'MALFORMED_JSON' });
  });

  it('refuses a schema violation with the JSON path of each bad field', async () => {
    const { handle } = setup();
    const body = Buffer.from(
      JSON.stringify({
        'dev-1': {
          data: [
            [0, [91, -0.12, 1]],
            [-5, [51, 200, 1]],
          ],
          time: NOW,
        },
      }),
    );
    const answer = await handle(signed(body));
    expect(answer).toMatchObject({ status: 400, refusal: 'SCHEMA_VIOLATION' });
    const paths = (answer.body as { error: { details: Array<{ path: string }> } }).error.details.map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(['$["dev-1"].data[0][1][0]', '$["dev-1"].data[1][0]', '$["dev-1"].data[1][1][1]']),
    );
  });

  it('lists the first 20 issues of a refusal and counts the rest', async () => {
    const { handle } = setup();
    const data = Array.from({ length: 1000 }, () => [-1, [91, 181, -1]]);
    const answer = await handle(signed(Buffer.from(JSON.stringify({ 'dev-1': { data, time: NOW } }))));
    expect(answer).toMatchObject({ status: 400, refusal: 'SCHEMA_VIOLATION' });
    const details = (answer.body as { error: { details: Array<{ path: string; message: string }> } }).error.details;
    expect(details).toHaveLength(21);
    expect(details[0]?.path).toBe('$["dev-1"].data[0][0]');
    expect(details[20]).toEqual({ path: '$', message: 'and 3980 more issues' });
  });

  it('refuses a body keyed by another device than X-Device-Id', async () => {
    const { handle } = setup();
    const answer = await handle(signed(message('dev-2')));
    expect(answer).toMatchObject({ status: 400, refusal: 'SCHEMA_VIOLATION' });
  });

  it('refuses the request over the per-device limit with 429 and Retry-After in whole seconds', async () => {
    const { handle } = setup(1);
    expect((await handle(signed(message()))).status).toBe(202);
    const answer = await handle(signed(message()));
    expect(answer).toMatchObject({ status: 429, refusal: 'RATE_LIMITED', headers: { 'retry-after': '13' } });
    expect((await handle(signed(message('dev-3'), { deviceId: 'dev-3' }))).status).toBe(202);
  });

  it('answers 503 when the broker is unavailable and gives the nonce and quota back', async () => {
    const { handle, publisher, nonces, rateLimiter } = setup();
    publisher.failWith = new DependencyUnavailableError('broker', 'down');
    const request = signed(message());
    const answer = await handle(request);
    expect(answer).toMatchObject({ status: 503, refusal: 'BROKER_UNAVAILABLE' });
    expect(nonces.seen.size).toBe(0);
    expect(rateLimiter.used.get('dev-1')).toBe(0);

    publisher.failWith = undefined;
    expect((await handle(request)).status).toBe(202);
  });

  it('answers 500 for an unexpected failure without leaking its message', async () => {
    const { handle, publisher } = setup();
    publisher.failWith = new Error('secret internals');
    const answer = await handle(signed(message()));
    expect(answer).toMatchObject({ status: 500, refusal: 'INTERNAL_ERROR' });
    expect(JSON.stringify(answer.body)).not.toContain('secret internals');
  });

  it('generates a correlation id when the caller sent none or an unsafe one', async () => {
    const { handle, publisher } = setup();
    const request = signed(message());
    const answer = await handle({ ...request, headers: { ...request.headers, 'x-correlation-id': 'bad id\n' } });
    expect(answer.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(publisher.published[0]?.correlationId).toBe(answer.headers['x-correlation-id']);
  });
});
