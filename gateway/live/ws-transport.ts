import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, type makeServer } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../schema';

/** What graphql-ws puts beside each connection's context (as its own `ws` adapter does). */
export interface WsExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
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
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code?.startsWith('WS_ERR_')) {
        // ws has already closed the socket with the matching code (1002, 1007, 1009).
        logger.info({ code: error.code, remote: request.socket.remoteAddress }, 'ws: client broke the protocol');
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
            // Resolves when the frame is handed to the OS: a client that stops reading holds
            // its operations here, which is what bounds the buffers behind them.
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            handle(String(data)).catch((error: unknown) => {
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
