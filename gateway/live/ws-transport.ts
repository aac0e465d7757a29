import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { CloseCode, handleProtocols, type makeServer } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../schema';

/** What graphql-ws puts beside each connection's context (as its own `ws` adapter does). */
export interface WsExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/** Socket errors that only mean the peer went away (a write raced its disconnect). */
const DISCONNECT_ERROR_CODES: ReadonlySet<string> = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

/** Whether `error` is a normal disconnect rather than a fault worth a stack trace. */
export function isDisconnectError(error: unknown, socket: Pick<WebSocket, 'readyState' | 'OPEN'>): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && DISCONNECT_ERROR_CODES.has(code)) || socket.readyState !== socket.OPEN;
}

/** The TCP socket under a `ws` socket (`ws` keeps it as `_socket`; absent before the upgrade completes). */
function tcpSocketOf(socket: WebSocket): Pick<Socket, 'cork' | 'uncork'> | undefined {
  const tcp = (socket as unknown as { _socket?: Partial<Socket> | null })._socket;
  return typeof tcp?.cork === 'function' && typeof tcp.uncork === 'function' ? (tcp as Socket) : undefined;
}

/**
 * Coalesces the frames one connection sends within a tick into one write. One Redis event wakes
 * every subscription of a connection at once, and `ws` writes each frame on its own (a syscall
 * per frame); corked, they leave in one `writev` when the tick's work is done.
 */
function tickWriteBatcher(socket: WebSocket): () => void {
  let corked = false;
  return () => {
    if (corked) return;
    const tcp = tcpSocketOf(socket);
    if (!tcp) return;
    corked = true;
    tcp.cork();
    process.nextTick(() => {
      corked = false;
      tcp.uncork();
    });
  };
}

/**
 * Runs a graphql-ws server core on a `ws` server: the same wiring as graphql-ws's own
 * `useServer` (subprotocol check, keepalive ping/pong, close on handler failure), but logging
 * through the service logger instead of the console and treating a client's protocol violation
 * (e.g. a message over `maxPayload`, which `ws` answers with close 1009) as the client's fault.
 */
export function serveGraphqlWs(
  wss: WebSocketServer,
  server: ReturnType<typeof makeServer<Record<string, unknown> | undefined, WsExtra>>,
  options: { keepAliveMs: number; logger: Logger },
): { dispose(): Promise<void> } {
  const { logger, keepAliveMs } = options;
  wss.options.handleProtocols = handleProtocols;
  wss.on('error', (error) => logger.error({ err: error }, 'ws: server error'));

  wss.on('connection', (socket, request) => {
    const batchWrites = tickWriteBatcher(socket);
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code?.startsWith('WS_ERR_')) {
        // ws has already closed the socket with the matching code (1002, 1007, 1009).
        logger.info({ code: error.code, remote: request.socket.remoteAddress }, 'ws: client broke the protocol');
        return;
      }
      if (isDisconnectError(error, socket)) {
        logger.debug({ code: error.code, remote: request.socket.remoteAddress }, 'ws: client disconnected mid-write');
        return;
      }
      logger.warn({ err: error }, 'ws: socket error');
      if (socket.readyState === socket.OPEN) socket.close(CloseCode.InternalServerError, 'Internal server error');
    });

    let pongWait: NodeJS.Timeout | undefined;
    const pingInterval =
      keepAliveMs > 0 && Number.isFinite(keepAliveMs)
        ? setInterval(() => {
            if (socket.readyState !== socket.OPEN) return;
            // A client that misses a pong for a whole interval is gone: free its subscriptions.
            pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
            socket.once('pong', () => {
              clearTimeout(pongWait);
              pongWait = undefined;
            });
            socket.ping();
          }, keepAliveMs)
        : undefined;

    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            batchWrites();
            // Resolves when the frame is handed to the OS: a client that stops reading holds
            // its operations here, which is what bounds the buffers behind them.
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            handle(String(data)).catch((error: unknown) => {
              if (isDisconnectError(error, socket)) {
                logger.debug({ err: (error as Error).message }, 'ws: client disconnected while a message was handled');
                return;
              }
              logger.error({ err: error }, 'ws: handling a message failed');
              if (socket.readyState === socket.OPEN)
                socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket, request },
    );

    socket.once('close', (code, reason) => {
      clearTimeout(pongWait);
      clearInterval(pingInterval);
      closed(code, String(reason)).catch((error: unknown) =>
        logger.warn({ err: error }, 'ws: closing a connection failed'),
      );
    });
  });

  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
