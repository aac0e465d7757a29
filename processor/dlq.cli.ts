import amqp from 'amqplib';
import { loadDeadLetterToolConfig } from './config';
import { listDeadLetters, replayDeadLetters, type DeadLetter } from './dead-letter-queue';

const USAGE = `usage: dlq list [--json]
       dlq replay <messageId>...   replay these messages to iot.xray (original routing key, attempts reset)
       dlq replay --all            replay every message
env:   AMQP_URL`;

function print(letters: DeadLetter[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
    return;
  }
  if (letters.length === 0) {
    process.stdout.write('the dead-letter queue is empty\n');
    return;
  }
  for (const l of letters) {
    process.stdout.write(
      `#${l.position} ${l.messageId ?? '(no id)'} device=${l.deviceId ?? '?'} key=${l.routingKey} attempts=${l.attempts} bytes=${l.bodyBytes}\n    reason: ${l.reason ?? '(none)'}\n`,
    );
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command !== 'list' && command !== 'replay') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command === 'replay' && args.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { amqpUrl } = loadDeadLetterToolConfig();
  const connection = await amqp.connect(amqpUrl);
  const channel = await connection.createConfirmChannel();
  try {
    if (command === 'list') {
      print(await listDeadLetters(channel), args.includes('--json'));
      return 0;
    }
    const all = args.includes('--all');
    const wanted = new Set(args.filter((a) => a !== '--all'));
    const replayed = await replayDeadLetters(
      channel,
      (l) => all || (l.messageId !== undefined && wanted.has(l.messageId)),
    );
    process.stdout.write(`replayed ${replayed.length} message(s)\n`);
    const missing = [...wanted].filter((id) => !replayed.some((l) => l.messageId === id));
    if (missing.length > 0) {
      process.stderr.write(`not in the dead-letter queue: ${missing.join(', ')}\n`);
      return 1;
    }
    return 0;
  } finally {
    // Closing the channel first waits until the broker processed every ack sent on it; closing
    // only the connection can race them and leave the last messages both moved and requeued.
    await channel.close();
    await connection.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`dlq: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
