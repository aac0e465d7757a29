/**
 * A process of graphql-ws subscribers for the live scenarios (forked by them, driven over IPC):
 * opens `subscriptions` on connections of `perConnection` each, counts events, and records the
 * latency from each message's 202 (sent over IPC by the poster) to its arrival here.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { LatencyRecorder, wallClockMs } from './lib/histogram';

interface OpenCommand {
  type: 'open';
  wsUrl: string;
  apiKey: string;
  query: string;
  variables: Array<Record<string, unknown>>;
  perConnection: number;
}

interface SignalEventData {
  signalProcessed?: { deviceId?: string; time?: string };
}

const clients: Client[] = [];
let recorder = new LatencyRecorder();
const sentAt = new Map<string, number>();
const arrivedBeforeSent = new Map<string, number[]>();
let received = 0;
let errors = 0;
let lastError = '';
/** Subscriptions that ended (error or complete): they will receive nothing more. */
let ended = 0;
let lastReceivedAt = 0;
let receivedPerSubscription: Uint32Array = new Uint32Array(0);

function send(message: unknown): void {
  if (process.send) process.send(message);
}

function keyOf(data: SignalEventData): string | undefined {
  const event = data.signalProcessed;
  if (!event?.deviceId || !event.time) return undefined;
  return `${event.deviceId}|${Date.parse(event.time)}`;
}

function onEvent(index: number, data: SignalEventData): void {
  const now = wallClockMs();
  received += 1;
  lastReceivedAt = now;
  receivedPerSubscription[index] = (receivedPerSubscription[index] ?? 0) + 1;
  const key = keyOf(data);
  if (!key) return;
  const at = sentAt.get(key);
  if (at !== undefined) recorder.recordMs(now - at);
  else {
    const pending = arrivedBeforeSent.get(key);
    if (pending) pending.push(now);
    else arrivedBeforeSent.set(key, [now]);
  }
}

async function open(command: OpenCommand): Promise<void> {
  receivedPerSubscription = new Uint32Array(command.variables.length);
  const connections = Math.ceil(command.variables.length / command.perConnection);
  for (let connection = 0; connection < connections; connection += 1) {
    const client = createClient({
      url: command.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { apiKey: command.apiKey },
      retryAttempts: 0,
      lazy: false,
      keepAlive: 0,
    });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      const offConnected = client.on('connected', () => {
        offConnected();
        offClosed();
        resolve();
      });
      const offClosed = client.on('closed', (event) => {
        offConnected();
        offClosed();
        reject(new Error(`websocket closed before connecting: ${JSON.stringify((event as { code?: number }).code)}`));
      });
    });
    const from = connection * command.perConnection;
    const to = Math.min(command.variables.length, from + command.perConnection);
    for (let index = from; index < to; index += 1) {
      client.subscribe<SignalEventData>(
        { query: command.query, variables: command.variables[index] },
        {
          next: (result) => {
            if (result.errors) {
              errors += 1;
              lastError = JSON.stringify(result.errors[0]);
            } else if (result.data) onEvent(index, result.data as SignalEventData);
          },
          error: (error) => {
            errors += 1;
            ended += 1;
            lastError = describeError(error);
          },
          complete: () => {
            ended += 1;
          },
        },
      );
    }
  }
}

/** graphql-ws reports a closed socket as its CloseEvent, whose fields do not survive JSON.stringify. */
function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const close = error as { code: unknown; reason?: unknown };
    return `socket closed ${String(close.code)} ${String(close.reason ?? '')}`.trim();
  }
  return JSON.stringify(error);
}

function status(): Record<string, unknown> {
  let withEvent = 0;
  for (const count of receivedPerSubscription) if (count > 0) withEvent += 1;
  return {
    type: 'status',
    received,
    withEvent,
    errors,
    ended,
    lastError,
    lastReceivedAt,
    rss: process.memoryUsage().rss,
  };
}

process.on('message', (message: { type: string } & Record<string, unknown>) => {
  switch (message.type) {
    case 'open':
      open(message as unknown as OpenCommand).then(
        () => send({ type: 'opened' }),
        (error: unknown) => send({ type: 'failed', error: error instanceof Error ? error.message : String(error) }),
      );
      break;
    case 'sent':
      for (const [key, at] of message.entries as Array<[string, number]>) {
        sentAt.set(key, at);
        const early = arrivedBeforeSent.get(key);
        if (early) {
          for (const arrivedAt of early) recorder.recordMs(arrivedAt - at);
          arrivedBeforeSent.delete(key);
        }
      }
      break;
    case 'status':
      send(status());
      break;
    case 'reset':
      recorder = new LatencyRecorder();
      sentAt.clear();
      arrivedBeforeSent.clear();
      received = 0;
      receivedPerSubscription.fill(0);
      send({ type: 'reset-done' });
      break;
    case 'latency':
      send({ type: 'latency', summary: recorder.summary(), unmatched: arrivedBeforeSent.size });
      break;
    case 'stop':
      void Promise.all(clients.map((client) => client.dispose())).finally(() => process.exit(0));
      break;
    default:
      break;
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
