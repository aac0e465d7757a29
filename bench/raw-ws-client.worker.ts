/**
 * Clients of bench/raw-ws-server: opens `connections` sockets and counts (and parses, as a
 * graphql-ws client would) every message. Driven over IPC.
 */
import WebSocket from 'ws';

const sockets: WebSocket[] = [];
let received = 0;
let lastReceivedAt = 0;

function send(message: unknown): void {
  if (process.send) process.send(message);
}

async function open(url: string, connections: number): Promise<void> {
  await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = new WebSocket(url);
          socket.on('message', (data: WebSocket.RawData) => {
            JSON.parse(data.toString());
            received += 1;
            lastReceivedAt = performance.timeOrigin + performance.now();
          });
          socket.once('open', () => resolve());
          socket.once('error', reject);
          sockets.push(socket);
        }),
    ),
  );
}

process.on('message', (message: { type: string; url?: string; connections?: number }) => {
  if (message.type === 'open') {
    open(message.url ?? '', message.connections ?? 1).then(
      () => send({ type: 'opened' }),
      (error: unknown) => send({ type: 'failed', error: String(error) }),
    );
  } else if (message.type === 'status') {
    send({ type: 'status', received, lastReceivedAt });
  } else if (message.type === 'stop') {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
