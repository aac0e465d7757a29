import { constants as osConstants } from 'node:os';
import amqp from 'amqplib';
import { loadDeadLetterToolConfig } from './config';
import { listDeadLetters, replayDeadLetters, type DeadLetter } from './dead-letter-queue';

const USAGE = `usage: dlq list [--json]
       dlq replay <messageId>...   replay these messages to iot.xray (original routing key, attempts reset)
       dlq replay --all            replay every message
env:   AMQP_URL`;

type Command = { name: 'list'; json: boolean } | { name: 'replay'; all: boolean; messageIds: Set<string> };

/** Signals that would otherwise end the process in the middle of a walk. */
const HELD_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type HeldSignal = (typeof HELD_SIGNALS)[number];

function commandOf(argv: string[]): Command | undefined {
  const [name, ...args] = argv;
  if (name === 'list') return { name, json: args.includes('--json') };
  if (name === 'replay' && args.length > 0) {
    return { name, all: args.includes('--all'), messageIds: new Set(args.filter((a) => a !== '--all')) };
  }
  return undefined;
}

/**
 * Holds SIGINT and SIGTERM back until `release`. A walk moves every message it passes (a copy is
 * published, then the original acked), so a process that dies between the two leaves that message
 * in the queue twice; a signal received meanwhile is only noted, and acted on once the walk is over.
 */
function holdSignals(): { release: () => HeldSignal | undefined } {
  let received: HeldSignal | undefined;
  const note = (signal: HeldSignal): void => {
    if (received === undefined) {
      process.stderr.write(
        `dlq: ${signal}: finishing the walk of the dead-letter queue first, so no message is lost or doubled\n`,
      );
    }
    received = signal;
  };
  for (const signal of HELD_SIGNALS) process.on(signal, note);
  return {
    release() {
      for (const signal of HELD_SIGNALS) process.off(signal, note);
      return received;
    },
  };
}

/**
 * Runs one walk on a connection of its own and resolves with the letters listed or replayed, only
 * once the channel is closed: the broker answers the close after it has processed every ack sent
 * before it, so from then on the queue is settled and nothing this process does (or dies of) can
 * requeue a message the walk already moved.
 */
async function walk(amqpUrl: string, command: Command): Promise<DeadLetter[]> {
  // Without TCP_NODELAY each basic.get waits behind the previous (unanswered) ack for the broker's
  // delayed TCP ack, about 40 ms a message: minutes for a large queue, with Ctrl-C held that long.
  const connection = await amqp.connect(amqpUrl, { noDelay: true });
  try {
    const channel = await connection.createConfirmChannel();
    let letters: DeadLetter[];
    try {
      letters =
        command.name === 'list'
          ? await listDeadLetters(channel)
          : await replayDeadLetters(
              channel,
              (l) => command.all || (l.messageId !== undefined && command.messageIds.has(l.messageId)),
            );
    } catch (error) {
      // The channel is often closed already (that is usually why the walk failed); report the cause.
      await channel.close().catch(() => undefined);
      throw error;
    }
    await channel.close();
    return letters;
  } finally {
    // Once the channel is closed the queue is settled; a connection that fails to close changes nothing.
    await connection.close().catch(() => undefined);
  }
}

function listingOf(letters: DeadLetter[], json: boolean): string {
  if (json) return `${JSON.stringify(letters, null, 2)}\n`;
  if (letters.length === 0) return 'the dead-letter queue is empty\n';
  return letters
    .map(
      (l) =>
        `#${l.position} ${l.messageId ?? '(no id)'} device=${l.deviceId ?? '?'} key=${l.routingKey} attempts=${l.attempts} bytes=${l.bodyBytes}\n    reason: ${l.reason ?? '(none)'}\n`,
    )
    .join('');
}

/**
 * Writes `text` to stdout. A reader that stops early (`dlq list | head -1`) closes the pipe, and
 * the next write fails with EPIPE: the walk is settled by then, and nobody wants the rest, so that
 * is a normal end rather than an error.
 */
function writeOutput(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => {
      if (error && (error as NodeJS.ErrnoException).code !== 'EPIPE') reject(error);
      else resolve();
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const command = commandOf(argv);
  if (command === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { amqpUrl } = loadDeadLetterToolConfig();
  const signals = holdSignals();
  const letters = await walk(amqpUrl, command);
  const interruptedBy = signals.release();
  // The walk is complete: exit now as the signal asked. A listing nobody waits for any more is not
  // printed; a replay that happened is still reported.
  const interruptedExitCode = interruptedBy === undefined ? undefined : 128 + osConstants.signals[interruptedBy];
  if (command.name === 'list') {
    if (interruptedExitCode !== undefined) return interruptedExitCode;
    await writeOutput(listingOf(letters, command.json));
    return 0;
  }
  await writeOutput(`replayed ${letters.length} message(s)\n`);
  const missing = [...command.messageIds].filter((id) => !letters.some((l) => l.messageId === id));
  if (missing.length > 0) {
    process.stderr.write(`not in the dead-letter queue: ${missing.join(', ')}\n`);
    return interruptedExitCode ?? 1;
  }
  return interruptedExitCode ?? 0;
}

// Errors on stdout are answered through each write's callback (see writeOutput); without a listener
// the same error would also be thrown as an uncaught 'error' event.
process.stdout.on('error', () => undefined);

main(process.argv.slice(2)).then(
  // Not process.exit: it could cut off output still queued for a slow pipe.
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dlq: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
