import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { promisify } from 'node:util';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type mongoose from 'mongoose';
import {
  AMQP_HEADERS,
  declareTopology,
  rawRoutingKeyFor,
  RAW_DEAD_LETTER_QUEUE,
  RAW_QUEUE,
  RAW_RETRY_QUEUE,
} from '../../schema';
import { listDeadLetters, replayDeadLetters } from '../../processor/dead-letter-queue';
import type { RunningProcessor } from '../../processor/processor.service';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { startTcpProxy } from '../support/tcp-proxy';
import { connectTestBroker, drainQueue, type TestBroker } from './support/broker-client';
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

    // A processor whose database stays unreachable, with holding during outages off (as a failure
    // that is the message's own would go): two quick attempts, then the dead-letter queue.
    const proxy = disposables.add(await startTcpProxy(infra.mongoUrl), (p) => p.close());
    const cutOff: RunningProcessor = await startTestProcessor(infra, {
      MONGO_URL: proxy.urlFor(infra.mongoUrl),
      PROCESSOR_MAX_ATTEMPTS: '2',
      PROCESSOR_RETRY_BASE_DELAY_MS: '100',
      PROCESSOR_MONGO_TIMEOUT_MS: '500',
      PROCESSOR_OUTAGE_HOLD_MS: '0',
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

  it('lists into `head -n 1`, exits 0 and leaves every message in the queue exactly once', async () => {
    await tool.purgeQueue(RAW_DEAD_LETTER_QUEUE);
    // More listing than a pipe's 64 KiB buffer holds, so `head` is gone while the CLI still writes.
    const seededIds = Array.from({ length: 600 }, (_, index) => `closed-reader-${index}`);
    for (const [index, messageId] of seededIds.entries()) {
      tool.publish('', RAW_DEAD_LETTER_QUEUE, xray(`dlq-pipe-${index}`, Date.UTC(2025, 2, 1)), {
        persistent: true,
        messageId,
        headers: { [AMQP_HEADERS.deviceId]: `dlq-pipe-${index}`, [AMQP_HEADERS.deadLetterReason]: 'invalid x-ray' },
      });
    }
    await tool.waitForConfirms();

    // A real `head`, as an operator types it: it exits the moment it has its line, which a reader in
    // this (busy) process cannot be relied on to do before the CLI has written everything.
    const cli = spawn(
      'bash',
      [
        '-c',
        '"$0" "$@" | head -n 1; exit "${PIPESTATUS[0]}"',
        process.execPath,
        path.join(__dirname, 'support', 'run-typescript.cjs'),
        path.join(ROOT, 'processor', 'dlq.cli.ts'),
        'list',
      ],
      { env: { PATH: process.env.PATH ?? '', AMQP_URL: infra.amqpUrl }, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    disposables.add(cli, (c) => void (c.exitCode === null && c.kill()));
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [exitCode] = (await once(cli, 'close')) as [number | null];

    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(stdout).toMatch(/^#0 closed-reader-0 device=dlq-pipe-0 [^\n]*\n$/);
    // What a dead CLI left unacknowledged, the broker requeues (to the front) the moment it sees the
    // connection close, well before this drain is through 600 messages: a duplicate would be in it.
    const remaining = await drainQueue(tool, RAW_DEAD_LETTER_QUEUE);
    expect(remaining.map((m) => m.properties.messageId as string)).toEqual(seededIds);
  });
});

describe('a message that cannot be parked', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TestBroker;
  let tool: ConfirmChannel;

  // A vhost of its own: the processors the suite above leaves running would store the message.
  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_unparked'), (i) => i.dispose());
    broker = disposables.add(await connectTestBroker(infra.amqpUrl, TEST_HMAC_SECRET), (b) => b.close());
    const toolConnection = disposables.add(await amqp.connect(infra.amqpUrl), (c) => c.close());
    tool = await toolConnection.createConfirmChannel();
  });

  afterAll(() => disposables.disposeAll());

  const deadLetterCount = () => broker.messageCount(RAW_DEAD_LETTER_QUEUE);

  it('never loses a message it cannot park: requeued, then rejected to the dead-letter queue by the broker', async () => {
    // Every attempt fails for the moment (the database is cut off) and is to be retried later...
    const proxy = disposables.add(await startTcpProxy(infra.mongoUrl), (p) => p.close());
    const cutOff = await startTestProcessor(infra, {
      MONGO_URL: proxy.urlFor(infra.mongoUrl),
      PROCESSOR_MAX_ATTEMPTS: '50',
      PROCESSOR_MONGO_TIMEOUT_MS: '300',
      PROCESSOR_OUTAGE_HOLD_MS: '0',
    });
    proxy.cut();
    // ...but the retry queue is gone (an operator deleted it): the broker would confirm a copy
    // published there, route it nowhere, and the acknowledged original would be lost.
    await tool.deleteQueue(RAW_RETRY_QUEUE);
    try {
      const messageId = await broker.publishXRay('dlq-unparked', xray('dlq-unparked', Date.UTC(2025, 3, 1)));
      await waitFor('the unparkable message dead-lettered', async () => (await deadLetterCount()) === 1);
      const [letter] = await listDeadLetters(tool);
      expect(letter).toEqual(
        expect.objectContaining({ messageId, deviceId: 'dlq-unparked', routingKey: rawRoutingKeyFor('dlq-unparked') }),
      );
      expect(await broker.messageCount(RAW_QUEUE)).toBe(0);
    } finally {
      await cutOff.close();
      await declareTopology(tool);
    }
  }, 90_000);
});
