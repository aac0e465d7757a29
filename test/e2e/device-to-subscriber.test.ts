import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadGatewayConfig } from '../../gateway/config';
import { startGateway } from '../../gateway/gateway.service';
import { loadIngestConfig } from '../../ingest/config';
import { startIngest } from '../../ingest/ingest.service';
import { loadProcessorConfig } from '../../processor/config';
import { startProcessor } from '../../processor/processor.service';
import { HTTP_HEADERS, type RunningService, signXRay, silentLogger } from '../../schema';
import { Disposables } from '../support/disposables';
import { loadSampleXRay } from '../support/sample-xray';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';

/**
 * The whole path on the real stack: a device POSTs its signed x-ray to ingest → RabbitMQ →
 * processor (MongoDB, GridFS, Redis pub/sub) → gateway, where a graphql-ws subscriber receives it
 * and the `signals` query finds it. The three services run in this process, each started exactly
 * as its main.ts starts it, from its own config module.
 */

const EVENT_TIMEOUT_MS = 30_000;

interface SignalEvent {
  id: string;
  deviceId: string;
  time: string;
  dataLength: number;
  dataVolume: number;
}

const SIGNAL_FIELDS = 'id deviceId time dataLength dataVolume';

/** Posts a message the way a device does: raw bytes, signed with the device's key. */
async function postSigned(ingestUrl: string, fleetSecret: string, deviceId: string, body: Buffer): Promise<Response> {
  const timestamp = String(Date.now());
  const nonce = `e2e-${randomUUID()}`;
  const signature = signXRay(fleetSecret, { deviceId, timestamp, nonce, body });
  return fetch(`${ingestUrl}/v1/xray`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [HTTP_HEADERS.deviceId]: deviceId,
      [HTTP_HEADERS.timestamp]: timestamp,
      [HTTP_HEADERS.nonce]: nonce,
      [HTTP_HEADERS.signature]: signature,
    },
    body,
  });
}

/** A live subscription whose events can be awaited one condition at a time. */
class SignalSubscription {
  private readonly received: SignalEvent[] = [];
  private readonly waiters: Array<{ accept: (event: SignalEvent) => boolean; resolve: (event: SignalEvent) => void }> =
    [];
  private failure: unknown;
  readonly stop: () => void;

  constructor(client: Client) {
    this.stop = client.subscribe<{ signalProcessed: SignalEvent }>(
      { query: `subscription { signalProcessed { ${SIGNAL_FIELDS} } }` },
      {
        next: (result) => {
          if (result.errors) this.failure = new Error(`subscription error: ${JSON.stringify(result.errors)}`);
          const event = result.data?.signalProcessed;
          if (!event) return;
          this.received.push(event);
          for (const waiter of [...this.waiters]) {
            if (waiter.accept(event)) {
              this.waiters.splice(this.waiters.indexOf(waiter), 1);
              waiter.resolve(event);
            }
          }
        },
        error: (error) => {
          this.failure = error;
        },
        complete: () => undefined,
      },
    );
  }

  /** Resolves with the first event (already received or still to come) that `accept` takes. */
  next(accept: (event: SignalEvent) => boolean, what: string): Promise<SignalEvent> {
    const seen = this.received.find(accept);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `no ${what} on the subscription within ${EVENT_TIMEOUT_MS} ms (${String(this.failure ?? 'no error')})`,
          ),
        );
      }, EVENT_TIMEOUT_MS);
      this.waiters.push({
        accept,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }
}

/** Opens a graphql-ws connection with only `connectionParams` and resolves with the close code. */
function closeCodeOf(url: string, connectionParams: Record<string, unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('the gateway neither acknowledged nor closed the connection'));
    }, EVENT_TIMEOUT_MS);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams })));
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type === 'connection_ack') {
        clearTimeout(timer);
        socket.close();
        reject(new Error('the gateway acknowledged the connection'));
      }
    });
    socket.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    socket.on('error', () => undefined);
  });
}

describe('a signed x-ray from a device to a GraphQL subscriber', () => {
  const disposables = new Disposables();
  const fleetSecret = randomBytes(32).toString('hex');
  const apiKey = `xk_e2e_${randomBytes(24).toString('hex')}`;
  const sample = loadSampleXRay();
  let infra: SuiteInfra;
  let ingest: RunningService;
  let processor: RunningService;
  let gateway: RunningService;
  let graphqlUrl: string;
  let wsUrl: string;

  const query = async <T>(
    document: string,
    variables: Record<string, unknown> = {},
    /** The `X-API-Key` to send; `null` sends none. */
    key: string | null = apiKey,
  ) => {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'x-api-key': key }) },
      body: JSON.stringify({ query: document, variables }),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        data?: T;
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      },
    };
  };

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('e2e'), (i) => i.dispose());
    const env: NodeJS.ProcessEnv = {
      MONGO_URL: infra.mongoUrl,
      REDIS_URL: infra.redisUrl,
      AMQP_URL: infra.amqpUrl,
      XRAY_NAMESPACE: infra.namespace,
      INGEST_HMAC_SECRET: fleetSecret,
      GATEWAY_ADMIN_API_KEY: apiKey,
      INGEST_PORT: '0',
      PROCESSOR_PORT: '0',
      GATEWAY_PORT: '0',
      INGEST_HOST: '127.0.0.1',
      PROCESSOR_HOST: '127.0.0.1',
      GATEWAY_HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    };
    const logger = silentLogger();
    // Started in the order data flows backwards, so nothing is published before its consumer exists.
    processor = disposables.add(await startProcessor(loadProcessorConfig(env), { logger }), (s) => s.close());
    gateway = disposables.add(await startGateway(loadGatewayConfig(env), { logger }), (s) => s.close());
    ingest = disposables.add(await startIngest(loadIngestConfig(env), { logger }), (s) => s.close());
    graphqlUrl = `${gateway.url}/graphql`;
    wsUrl = graphqlUrl.replace(/^http/, 'ws');
  });

  afterAll(() => disposables.disposeAll());

  it('reports every service ready', async () => {
    const statuses = await Promise.all(
      [ingest.url, processor.url, gateway.url].map((url) => fetch(`${url}/readyz`).then((r) => r.status)),
    );
    expect(statuses).toEqual([200, 200, 200]);
  });

  it('delivers the real sample to a live subscription, then finds it with the signals query', async () => {
    const client = disposables.add(
      createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { apiKey },
        retryAttempts: 0,
        lazy: false,
      }),
      (c) => c.dispose(),
    );
    const subscription = new SignalSubscription(client);
    disposables.add(subscription, (s) => s.stop());

    // graphql-ws does not acknowledge a subscribe, so the subscription is known to be live only once an
    // event arrives: small warm-up messages are posted until the first one comes through.
    const warmupDevice = `e2e-warmup-${randomBytes(3).toString('hex')}`;
    const warmupSeen = subscription.next((event) => event.deviceId === warmupDevice, 'warm-up signal');
    let warmups = 0;
    let live = false;
    void warmupSeen.then(() => {
      live = true;
    });
    while (!live && warmups < 40) {
      const body = Buffer.from(
        JSON.stringify({ [warmupDevice]: { data: [[0, [51.5, -0.12, 1.5]]], time: Date.now() - 60_000 + warmups } }),
      );
      expect((await postSigned(ingest.url, fleetSecret, warmupDevice, body)).status).toBe(202);
      warmups += 1;
      await Promise.race([warmupSeen, new Promise((resolve) => setTimeout(resolve, 500))]);
    }
    await warmupSeen;

    const accepted = await postSigned(ingest.url, fleetSecret, sample.deviceId, sample.raw);
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ messageId: expect.any(String), deviceId: sample.deviceId });

    const event = await subscription.next((e) => e.deviceId === sample.deviceId, 'signal of the sample');
    const sampleMessage = sample.message[sample.deviceId];
    expect(event).toEqual({
      id: expect.any(String),
      deviceId: sample.deviceId,
      time: new Date(sampleMessage?.time ?? Number.NaN).toISOString(),
      dataLength: sampleMessage?.data.length,
      dataVolume: sample.raw.length,
    });

    const { status, body } = await query<{
      signals: {
        edges: Array<{ cursor: string; node: SignalEvent }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    }>(
      `query ($deviceIds: [ID!]) {
         signals(first: 10, filter: { deviceIds: $deviceIds }) {
           edges { cursor node { ${SIGNAL_FIELDS} } }
           pageInfo { hasNextPage endCursor }
         }
       }`,
      { deviceIds: [sample.deviceId] },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.signals.edges.map((edge) => edge.node)).toEqual([event]);
    expect(body.data?.signals.pageInfo).toEqual({ hasNextPage: false, endCursor: body.data?.signals.edges[0]?.cursor });
  });

  it('pages through every stored signal with first/after, each once', async () => {
    type Page = {
      signals: {
        edges: Array<{ cursor: string; node: { id: string } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const all = await query<Page>(
      '{ signals(first: 200) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
    );
    const expected = all.body.data?.signals.edges.map((edge) => edge.node.id) ?? [];
    expect(expected.length).toBeGreaterThanOrEqual(2);

    const walked: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { body: { data?: Page } } = await query<Page>(
        'query ($after: String) { signals(first: 1, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      const connection = page.body.data?.signals;
      if (!connection) throw new Error(`signals page failed: ${JSON.stringify(page.body)}`);
      walked.push(...connection.edges.map((edge) => edge.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(walked).toEqual(expected);
  });

  it('refuses a GraphQL request over HTTP without an API key with 401', async () => {
    const { status, body } = await query('{ signals(first: 1) { edges { cursor } } }', {}, null);
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.data).toBeFalsy();
  });

  it('refuses a GraphQL request with an unknown API key with 401', async () => {
    const { status } = await query(
      '{ signals(first: 1) { edges { cursor } } }',
      {},
      `xk_unknown_${randomBytes(16).toString('hex')}`,
    );
    expect(status).toBe(401);
  });

  it('closes a websocket without an API key with code 4403', async () => {
    expect(await closeCodeOf(wsUrl, {})).toBe(4403);
  });

  it('closes a websocket with a wrong API key with code 4403', async () => {
    expect(await closeCodeOf(wsUrl, { apiKey: `xk_wrong_${randomBytes(16).toString('hex')}` })).toBe(4403);
  });
});
