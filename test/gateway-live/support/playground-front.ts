import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import express from 'express';
import { graphiqlHandler } from '../../../gateway/playground/graphiql.handler';

/**
 * A reverse proxy in front of a gateway that serves the playground itself at `GET /graphql`
 * (browsers) and forwards everything else, websocket upgrades included, unchanged.
 */
export async function startPlaygroundFront(gatewayUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(gatewayUrl);
  const app = express();
  app.get('/graphql', graphiqlHandler({ endpoint: '/graphql' }));
  app.use((req, res) => {
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const server: Server = createServer(app);
  server.on('upgrade', (req, socket, head) => {
    const upstream = connect(Number(target.port), target.hostname, () => {
      const headerLines = Object.entries(req.headers).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${name === 'host' ? target.host : String(v)}`),
      );
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headerLines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    const destroyBoth = (): void => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', destroyBoth);
    socket.on('error', destroyBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
