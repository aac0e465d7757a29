import { randomUUID } from 'node:crypto';
import type { RunningService } from '../../schema';
import { type PostResult, postSignedXRay } from '../../ingest/simulator/signed-xray.client';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { type TcpProxy, startTcpProxy } from '../support/tcp-proxy';
import { RawQueueReader, TEST_FLEET_SECRET, ingestConfigFor, startTestIngest } from './ingest.harness';
import { eventually } from '../support/wait-for';

const CONFIRM_TIMEOUT_MS = 10_000;
const SENDERS = 4;

interface Outcome {
  status: number;
  messageId?: string;
  latencyMs: number;
}

function messageFor(deviceId: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      [deviceId]: {
        data: [
          [0, [48.85, 2.35, 1.2]],
          [1000, [48.85001, 2.35, 1.3]],
        ],
        time: Date.now() - 60_000,
      },
    }),
  );
}

/** Devices posting signed messages in a loop until stopped: the "run" an outage happens in. */
class Fleet {
  readonly outcomes: Outcome[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(private readonly url: string) {
    this.loops = Array.from({ length: SENDERS }, (_, sender) => this.loop(`outage-device-${sender}`));
  }

  count(status: number): number {
    return this.outcomes.filter((o) => o.status === status).length;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(deviceId: string): Promise<void> {
    while (this.running) {
      const result: PostResult = await postSignedXRay(this.url, {
        fleetSecret: TEST_FLEET_SECRET,
        deviceId,
        body: messageFor(deviceId),
      });
      const body = result.body as { messageId?: string } | undefined;
      this.outcomes.push({ status: result.status, messageId: body?.messageId, latencyMs: result.latencyMs });
      // Yield to the event loop so the stop flag and test assertions interleave with the posts.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

// Jest ignores a per-project testTimeout; these tests wait for reconnects and the real broker.
jest.setTimeout(90_000);

describe('ingest through a RabbitMQ outage', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let proxy: TcpProxy;
  let ingest: RunningService;
  let queue: RawQueueReader;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('ingest-outage'), (i) => i.dispose());
    proxy = disposables.add(await startTcpProxy(infra.amqpUrl), (p) => p.close());
    queue = disposables.add(await RawQueueReader.open(infra.amqpUrl), (q) => q.close());
    ingest = disposables.add(
      await startTestIngest(
        ingestConfigFor(infra, { amqpUrl: proxy.urlFor(infra.amqpUrl), confirmTimeoutMs: CONFIRM_TIMEOUT_MS }),
      ),
      (s) => s.close(),
    );
  });

  afterAll(() => disposables.disposeAll());

  it('answers 503 at once while the broker is down, recovers by itself, and loses no 202-accepted message', async () => {
    const fleet = new Fleet(ingest.url);
    try {
      await eventually(
        async () => (fleet.count(202) >= 20 ? true : undefined),
        20_000,
        '20 messages accepted before the outage',
      );

      proxy.cut();
      const cutAt = fleet.outcomes.length;
      await eventually(
        async () => (fleet.outcomes.slice(cutAt).filter((o) => o.status === 503).length >= 20 ? true : undefined),
        20_000,
        '20 refusals during the outage',
      );

      const readiness = await fetch(`${ingest.url}/readyz`);
      expect(readiness.status).toBe(503);
      expect(((await readiness.json()) as { dependencies: { broker: string } }).dependencies.broker).not.toBe('ok');

      // A resent request must not find its nonce burnt by the refused attempt.
      const body = messageFor('retrying-device');
      const nonce = `retry-${randomUUID()}`;
      const timestampMs = Date.now();
      const refused = await postSignedXRay(ingest.url, {
        fleetSecret: TEST_FLEET_SECRET,
        deviceId: 'retrying-device',
        body,
        nonce,
        timestampMs,
      });
      expect(refused.status).toBe(503);
      expect((refused.body as { error: { code: string } }).error.code).toBe('BROKER_UNAVAILABLE');

      const restoredAt = fleet.outcomes.length;
      proxy.restore();
      await eventually(
        async () => (fleet.outcomes.slice(restoredAt).filter((o) => o.status === 202).length >= 20 ? true : undefined),
        30_000,
        '20 messages accepted after the broker came back',
      );
      const resent = await postSignedXRay(ingest.url, {
        fleetSecret: TEST_FLEET_SECRET,
        deviceId: 'retrying-device',
        body,
        nonce,
        timestampMs,
      });
      expect(resent.status).toBe(202);
      fleet.outcomes.push({
        status: 202,
        messageId: (resent.body as { messageId: string }).messageId,
        latencyMs: resent.latencyMs,
      });
    } finally {
      await fleet.stop();
    }

    const statuses = new Set(fleet.outcomes.map((o) => o.status));
    expect([...statuses].sort()).toEqual([202, 503]);
    // While the broker was down, nothing waited for a confirm that could not come.
    const outageRefusals = fleet.outcomes.filter((o) => o.status === 503);
    expect(Math.max(...outageRefusals.map((o) => o.latencyMs))).toBeLessThan(CONFIRM_TIMEOUT_MS / 2);

    const accepted = fleet.outcomes.filter((o) => o.status === 202).map((o) => o.messageId as string);
    const queued = new Set((await queue.drain()).map((m) => m.properties.messageId as string));
    const missing = accepted.filter((id) => !queued.has(id));
    expect(missing).toEqual([]);
    expect((await fetch(`${ingest.url}/readyz`)).status).toBe(200);
  });

  it('refuses at once, holding no more bodies, while the broker has not confirmed INGEST_MAX_UNCONFIRMED_BYTES', async () => {
    const maxUnconfirmedBytes = 2 * 1024 * 1024;
    const capped = await startTestIngest(
      ingestConfigFor(infra, {
        amqpUrl: proxy.urlFor(infra.amqpUrl),
        confirmTimeoutMs: CONFIRM_TIMEOUT_MS,
        maxUnconfirmedBytes,
      }),
    );
    /** About 360 KB: the most samples a message may hold. */
    const bigMessageFor = (deviceId: string): Buffer =>
      Buffer.from(
        JSON.stringify({
          [deviceId]: {
            data: Array.from({ length: 10_000 }, (_, i) => [
              (i * 100) % 60_000,
              [48.850012 + i * 1e-6, 2.350012, 12.3],
            ]),
            // The samples span about 17 minutes: they all lie in the past.
            time: Date.now() - 20 * 60_000,
          },
        }),
      );
    const post = (deviceId: string) =>
      postSignedXRay(capped.url, { fleetSecret: TEST_FLEET_SECRET, deviceId, body: bigMessageFor(deviceId) });
    try {
      // The broker takes no more bytes and confirms nothing.
      proxy.stall();
      let during: PostResult[];
      let later: PostResult[];
      try {
        during = await Promise.all(Array.from({ length: 20 }, (_, i) => post(`stalled-device-${i}`)));
        // Those published have timed out by now, but their bodies still wait in the client's
        // buffers: they still count, and nothing more is taken.
        later = await Promise.all(Array.from({ length: 5 }, (_, i) => post(`still-stalled-device-${i}`)));
      } finally {
        proxy.restore();
      }
      expect([...during, ...later].filter((r) => r.status !== 503).map((r) => r.body)).toEqual([]);
      // Only those published up to the bound waited for a confirm; every later one was refused without.
      const waited = during.filter((r) => r.latencyMs >= CONFIRM_TIMEOUT_MS);
      const bodyBytes = bigMessageFor('stalled-device-0').length;
      expect(waited.length).toBeGreaterThan(0);
      expect(waited.length).toBeLessThanOrEqual(Math.ceil(maxUnconfirmedBytes / bodyBytes));
      expect(later.filter((r) => r.latencyMs >= CONFIRM_TIMEOUT_MS)).toEqual([]);

      await eventually(
        async () => ((await post(`drained-device-${randomUUID()}`)).status === 202 ? true : undefined),
        30_000,
        'a message accepted once the broker confirms again',
      );
    } finally {
      await capped.close();
      await queue.drain();
    }
  });
});
