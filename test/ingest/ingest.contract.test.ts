import { randomUUID } from 'node:crypto';
import { AMQP_HEADERS, DEFAULT_NAMESPACE, type RunningService, rawRoutingKeyFor, XRAY_EXCHANGE } from '../../schema';
import { nonceKeyFor } from '../../ingest/nonce.store';
import { postSignedXRay, signedXRayHeaders } from '../../ingest/simulator/signed-xray.client';
import { Disposables } from '../support/disposables';
import { loadSampleXRay } from '../support/sample-xray';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { RawQueueReader, TEST_FLEET_SECRET, ingestConfigFor, startTestIngest } from './ingest.harness';
import { Redis } from 'ioredis';

const RATE_LIMIT_PER_MINUTE = 3;

interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ path: string; message: string }> };
}

function messageFor(deviceId: string, time = Date.now() - 60_000): Buffer {
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

// Jest ignores a per-project testTimeout; these tests wait for reconnects and the real broker.
jest.setTimeout(90_000);

describe('ingest POST /v1/xray on the real stack', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let ingest: RunningService;
  let queue: RawQueueReader;
  let redis: Redis;

  const post = (
    deviceId: string,
    body: Buffer,
    options: { timestampMs?: number; nonce?: string; secret?: string } = {},
  ) => postSignedXRay(ingest.url, { fleetSecret: options.secret ?? TEST_FLEET_SECRET, deviceId, body, ...options });

  const rawPost = (headers: Record<string, string>, body: Buffer | string) =>
    fetch(`${ingest.url}/v1/xray`, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : new Uint8Array(body),
    }).then(async (response) => ({
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as ErrorBody,
    }));

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('ingest-contract'), (i) => i.dispose());
    ingest = disposables.add(
      await startTestIngest(ingestConfigFor(infra, { rateLimitPerMinute: RATE_LIMIT_PER_MINUTE })),
      (s) => s.close(),
    );
    queue = disposables.add(await RawQueueReader.open(infra.amqpUrl), (q) => q.close());
    redis = disposables.add(new Redis(infra.redisUrl), (r) => r.quit().then(() => undefined));
  });

  afterAll(() => disposables.disposeAll());

  it('accepts the real sample with 202 only once it is in xray.raw.q with its raw bytes and signature headers', async () => {
    const sample = loadSampleXRay();
    const correlationId = `corr-${randomUUID()}`;
    const answer = await postSignedXRay(ingest.url, {
      fleetSecret: TEST_FLEET_SECRET,
      deviceId: sample.deviceId,
      body: sample.raw,
      correlationId,
      nonce: `sample-nonce-${randomUUID()}`,
    });
    expect(answer.status).toBe(202);
    const accepted = answer.body as { messageId: string; deviceId: string };
    expect(accepted).toEqual({ messageId: expect.any(String), deviceId: sample.deviceId });
    expect(answer.headers.get('x-correlation-id')).toBe(correlationId);

    const message = await queue.waitFor(accepted.messageId);
    expect(message.content.equals(sample.raw)).toBe(true);
    expect(message.fields.exchange).toBe(XRAY_EXCHANGE);
    expect(message.fields.routingKey).toBe(rawRoutingKeyFor(sample.deviceId));
    expect(message.properties).toMatchObject({
      deliveryMode: 2,
      contentType: 'application/json',
      correlationId,
      messageId: accepted.messageId,
    });
    const headers = message.properties.headers as Record<string, unknown>;
    expect(headers[AMQP_HEADERS.correlationId]).toBe(correlationId);
    expect(headers[AMQP_HEADERS.deviceId]).toBe(sample.deviceId);
    expect(headers[AMQP_HEADERS.nonce]).toMatch(/^sample-nonce-/);
    expect(headers[AMQP_HEADERS.signature]).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(headers[AMQP_HEADERS.timestamp])).toBeGreaterThan(Date.now() - 60_000);
    expect(Number(headers[AMQP_HEADERS.acceptedAt])).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps the nonce under the suite namespace in Redis with a TTL', async () => {
    const nonce = `ns-check-${randomUUID()}`;
    expect((await post('ns-device', messageFor('ns-device'), { nonce })).status).toBe(202);
    const ttl = await redis.ttl(nonceKeyFor(infra.namespace, 'ns-device', nonce));
    expect(ttl).toBeGreaterThan(0);
    expect(infra.namespace).not.toBe(DEFAULT_NAMESPACE);
  });

  it('refuses malformed JSON with 400 MALFORMED_JSON', async () => {
    const answer = await post('json-device', Buffer.from('{"json-device": {"data": [[0, [1, 2, 3]]], "time": '));
    expect(answer.status).toBe(400);
    expect((answer.body as ErrorBody).error.code).toBe('MALFORMED_JSON');
  });

  it('refuses a schema violation with 400 and the JSON path of each bad field', async () => {
    const body = Buffer.from(
      JSON.stringify({
        'schema-device': {
          data: [
            [0, [95, 10, 1]],
            [1.5, [10, -181, -1]],
          ],
          time: Date.now() + 2 * 24 * 3600_000,
        },
      }),
    );
    const answer = await post('schema-device', body);
    expect(answer.status).toBe(400);
    const error = (answer.body as ErrorBody).error;
    expect(error.code).toBe('SCHEMA_VIOLATION');
    expect(error.details?.map((d) => d.path).sort()).toEqual(
      [
        '$["schema-device"].data[0][1][0]',
        '$["schema-device"].data[1][0]',
        '$["schema-device"].data[1][1][1]',
        '$["schema-device"].data[1][1][2]',
        '$["schema-device"].time',
      ].sort(),
    );
  });

  it('refuses a wrong signature with 401 without consuming the nonce', async () => {
    const nonce = `forged-${randomUUID()}`;
    const body = messageFor('sig-device');
    const forged = await post('sig-device', body, { nonce, secret: 'not-the-fleet-secret-0123456789abcdef' });
    expect(forged.status).toBe(401);
    expect((forged.body as ErrorBody).error.code).toBe('SIGNATURE_MISMATCH');
    expect(await redis.exists(nonceKeyFor(infra.namespace, 'sig-device', nonce))).toBe(0);
    expect((await post('sig-device', body, { nonce })).status).toBe(202);
  });

  it('refuses a request without signature headers with 401 naming what is missing', async () => {
    const answer = await rawPost({ 'content-type': 'application/json' }, messageFor('anon'));
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('MISSING_AUTHENTICATION');
    expect(answer.body.error.details?.map((d) => d.path)).toEqual([
      'headers.x-device-id',
      'headers.x-timestamp',
      'headers.x-nonce',
      'headers.x-signature',
    ]);
  });

  it('refuses a timestamp more than 300 s old with 401', async () => {
    const answer = await post('stale-device', messageFor('stale-device'), { timestampMs: Date.now() - 301_000 });
    expect(answer.status).toBe(401);
    expect((answer.body as ErrorBody).error.code).toBe('TIMESTAMP_OUT_OF_WINDOW');
  });

  it('refuses a timestamp more than 300 s ahead with 401', async () => {
    const answer = await post('future-device', messageFor('future-device'), { timestampMs: Date.now() + 301_000 });
    expect(answer.status).toBe(401);
    expect((answer.body as ErrorBody).error.code).toBe('TIMESTAMP_OUT_OF_WINDOW');
  });

  it('refuses a nonce the device used within 300 s with 409', async () => {
    const nonce = `replayed-${randomUUID()}`;
    const body = messageFor('replay-device');
    const headers = signedXRayHeaders({ fleetSecret: TEST_FLEET_SECRET, deviceId: 'replay-device', body, nonce });
    const first = await rawPost(headers as unknown as Record<string, string>, body);
    const replay = await rawPost(headers as unknown as Record<string, string>, body);
    expect(first.status).toBe(202);
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('NONCE_REUSED');
  });

  it('lets another device use the same nonce', async () => {
    const nonce = `shared-${randomUUID()}`;
    expect((await post('nonce-a', messageFor('nonce-a'), { nonce })).status).toBe(202);
    expect((await post('nonce-b', messageFor('nonce-b'), { nonce })).status).toBe(202);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const body = Buffer.alloc(1024 * 1024 + 1, 0x20);
    const answer = await post('big-device', body);
    expect(answer.status).toBe(413);
    expect((answer.body as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a body that is not application/json with 415', async () => {
    const body = messageFor('type-device');
    const headers = signedXRayHeaders({ fleetSecret: TEST_FLEET_SECRET, deviceId: 'type-device', body });
    const answer = await rawPost(
      { ...(headers as unknown as Record<string, string>), 'content-type': 'text/plain' },
      body,
    );
    expect(answer.status).toBe(415);
    expect(answer.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a device over its per-minute limit with 429 and Retry-After, while other devices go on', async () => {
    for (let i = 0; i < RATE_LIMIT_PER_MINUTE; i++) {
      expect((await post('busy-device', messageFor('busy-device'))).status).toBe(202);
    }
    const refused = await post('busy-device', messageFor('busy-device'));
    expect(refused.status).toBe(429);
    expect((refused.body as ErrorBody).error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await post('calm-device', messageFor('calm-device'))).status).toBe(202);
  });

  it('does not charge an unsigned request to the device rate quota', async () => {
    for (let i = 0; i < RATE_LIMIT_PER_MINUTE + 2; i++) {
      const forged = await post('quota-device', messageFor('quota-device'), {
        secret: 'not-the-fleet-secret-0123456789abcdef',
      });
      expect(forged.status).toBe(401);
    }
    expect((await post('quota-device', messageFor('quota-device'))).status).toBe(202);
  });

  it('does not charge replays of a captured request to the device rate quota', async () => {
    const body = messageFor('replayed-quota-device');
    const headers = signedXRayHeaders({ fleetSecret: TEST_FLEET_SECRET, deviceId: 'replayed-quota-device', body });
    expect((await rawPost(headers as unknown as Record<string, string>, body)).status).toBe(202);
    for (let i = 0; i < RATE_LIMIT_PER_MINUTE + 2; i++) {
      const replay = await rawPost(headers as unknown as Record<string, string>, body);
      expect(replay.status).toBe(409);
      expect(replay.body.error.code).toBe('NONCE_REUSED');
    }
    expect((await post('replayed-quota-device', messageFor('replayed-quota-device'))).status).toBe(202);
  });

  it('answers /healthz, /readyz with both dependencies and /metrics with request counts', async () => {
    // What the counts below count: one accepted message and one replay of it.
    const body = messageFor('metrics-device');
    const headers = signedXRayHeaders({ fleetSecret: TEST_FLEET_SECRET, deviceId: 'metrics-device', body });
    expect((await rawPost(headers as unknown as Record<string, string>, body)).status).toBe(202);
    expect((await rawPost(headers as unknown as Record<string, string>, body)).status).toBe(409);
    expect((await fetch(`${ingest.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${ingest.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', dependencies: { broker: 'ok', redis: 'ok' } });
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(metrics).toMatch(/ingest_http_requests_total\{status="202"\} [1-9]/);
    expect(metrics).toMatch(/ingest_refusals_total\{code="NONCE_REUSED"\} [1-9]/);
    expect(metrics).toMatch(/ingest_publish_duration_seconds_count\{outcome="confirmed"\} [1-9]/);
  });
});
