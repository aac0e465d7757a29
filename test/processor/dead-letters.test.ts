import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type mongoose from 'mongoose';
import { rawRoutingKeyFor, RAW_DEAD_LETTER_QUEUE, RAW_QUEUE } from '../../schema';
import { listDeadLetters, replayDeadLetters } from '../../processor/dead-letter-queue';
import type { RunningProcessor } from '../../processor/processor.service';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { startTcpProxy } from '../support/tcp-proxy';
import { connectTestBroker, type TestBroker } from './support/broker-client';
import { connectSuiteDb, startTestProcessor, TEST_HMAC_SECRET } from './support/processor-harness';
import { waitFor } from '../support/wait-for';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

const xray = (deviceId: string, time: number) =>
  Buffer.from(JSON.stringify({ [deviceId]: { time, data: [[0, [40, 5, 1]]] } }));

describe('dead letters and their replay', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;
  let db: mongoose.Connection;
  let toolConnection: ChannelModel;
  let tool: ConfirmChannel;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_dlq'), (i) => i.dispose());
    db = disposables.add(await connectSuiteDb(infra), (c) => c.close());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
    toolConnection = disposables.add(await amqp.connect(infra.amqpUrl), (c) => c.close());
    tool = await toolConnection.createConfirmChannel();
  });

  afterAll(() => disposables.disposeAll());

  const deadLetterCount = () => broker.messageCount(RAW_DEAD_LETTER_QUEUE);

  it('dead-letters poison at once and exhausted retries after the last attempt, then replays them once fixed', async () => {
    // A processor deployed with the wrong fleet secret: every signature fails (poison).
    const misconfigured = await startTestProcessor(infra, {
      INGEST_HMAC_SECRET: 'a-different-fleet-secret-0123456789abcdef',
    });
    const poisonId = await broker.publishXRay('dlq-a', xray('dlq-a', Date.UTC(2025, 1, 1)));
    await waitFor('the poison message dead-lettered', async () => (await deadLetterCount()) === 1);
    await misconfigured.close();

    // A processor whose database stays unreachable: two quick attempts, then the dead-letter queue.
    const proxy = disposables.add(await startTcpProxy(infra.mongoUrl), (p) => p.close());
    const cutOff: RunningProcessor = await startTestProcessor(infra, {
      MONGO_URL: proxy.urlFor(infra.mongoUrl),
      PROCESSOR_MAX_ATTEMPTS: '2',
      PROCESSOR_RETRY_BASE_DELAY_MS: '100',
      PROCESSOR_MONGO_TIMEOUT_MS: '500',
    });
    proxy.cut();
    const exhaustedId = await broker.publishXRay('dlq-b', xray('dlq-b', Date.UTC(2025, 1, 2)));
    await waitFor('the exhausted message dead-lettered', async () => (await deadLetterCount()) === 2);
    await cutOff.close();

    const letters = await listDeadLetters(tool);
    expect(letters).toEqual([
      expect.objectContaining({
        messageId: poisonId,
        deviceId: 'dlq-a',
        routingKey: rawRoutingKeyFor('dlq-a'),
        attempts: 1,
        reason: expect.stringMatching(/signature/),
      }),
      expect.objectContaining({
        messageId: exhaustedId,
        deviceId: 'dlq-b',
        routingKey: rawRoutingKeyFor('dlq-b'),
        attempts: 2,
        reason: expect.stringMatching(/^gave up after 2 attempts/),
      }),
    ]);
    expect(await deadLetterCount()).toBe(2); // listing leaves the queue as it was

    const { stdout } = await execFileAsync(
      process.execPath,
      [path.join(__dirname, 'support', 'run-typescript.cjs'), path.join(ROOT, 'processor', 'dlq.cli.ts'), 'list'],
      { env: { PATH: process.env.PATH ?? '', AMQP_URL: infra.amqpUrl }, cwd: ROOT },
    );
    expect(await deadLetterCount()).toBe(2);
    expect(stdout).toContain(poisonId);
    expect(stdout).toMatch(/reason: signature does not match/);

    // Fixed: the right secret, a reachable database.
    disposables.add(await startTestProcessor(infra), (p) => p.close());
    const replayed = await replayDeadLetters(tool, (l) => l.messageId === poisonId);
    expect(replayed.map((l) => l.messageId)).toEqual([poisonId]);
    await waitFor(
      'the replayed message stored',
      async () => (await db.collection('signals').countDocuments({ deviceId: 'dlq-a' })) === 1,
    );
    expect(await deadLetterCount()).toBe(1);

    const { stdout: replayOutput } = await execFileAsync(
      process.execPath,
      [
        path.join(__dirname, 'support', 'run-typescript.cjs'),
        path.join(ROOT, 'processor', 'dlq.cli.ts'),
        'replay',
        '--all',
      ],
      { env: { PATH: process.env.PATH ?? '', AMQP_URL: infra.amqpUrl }, cwd: ROOT },
    );
    expect(replayOutput).toContain('replayed 1 message');
    await waitFor(
      'the other replayed message stored',
      async () => (await db.collection('signals').countDocuments({ deviceId: 'dlq-b' })) === 1,
    );
    await waitFor('the main queue drained', async () => (await broker.messageCount(RAW_QUEUE)) === 0);
    expect(await deadLetterCount()).toBe(0);
  }, 120_000);
});
