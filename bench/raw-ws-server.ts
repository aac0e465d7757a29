/**
 * The raw `ws` limit of the fan-out scenario: a bare WebSocket server (no GraphQL) that, on IPC
 * `{type:'blast', events, perConnection, payload}`, sends `payload` `perConnection` times per
 * connected client per event — the frames a gateway with that many subscriptions per connection sends.
 */
import { WebSocketServer, type WebSocket } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
const sockets = new Set<WebSocket>();
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

function send(message: unknown): void {
  if (process.send) process.send(message);
}

async function blast(events: number, perConnection: number, payload: string): Promise<void> {
  for (let event = 0; event < events; event += 1) {
    for (const socket of sockets) for (let copy = 0; copy < perConnection; copy += 1) socket.send(payload);
    // Let the sockets drain between events, as a gateway does between Redis messages.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

process.on('message', (message: { type: string; events?: number; perConnection?: number; payload?: string }) => {
  if (message.type === 'blast') {
    void blast(message.events ?? 1, message.perConnection ?? 1, message.payload ?? '{}').then(() =>
      send({ type: 'blasted' }),
    );
  } else if (message.type === 'stop') {
    for (const socket of sockets) socket.terminate();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  send({ type: 'ready', url: `ws://127.0.0.1:${port}` });
});
