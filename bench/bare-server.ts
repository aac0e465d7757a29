/**
 * The bare HTTP handler of the HTTP-overhead scenario: `GET /signal/<id>` does the same find as the
 * gateway's `signal(id)` through the driver and answers JSON. No GraphQL, no auth, no middleware.
 */
import http from 'node:http';
import mongoose, { Types } from 'mongoose';
import { SIGNAL_SUMMARY_PROJECTION } from '../gateway/loaders/gateway-loaders';
import { loadBenchConfig } from './bench.config';

// What the gateway's `signal(id)` loader fetches.
const PROJECTION = SIGNAL_SUMMARY_PROJECTION;

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const connection = await mongoose.createConnection(config.mongoUrl, { maxPoolSize: 20 }).asPromise();
  const signals = connection.collection('signals');
  const server = http.createServer((request, response) => {
    const match = /^\/signal\/([0-9a-f]{24})$/.exec(request.url ?? '');
    if (!match?.[1]) {
      response.writeHead(404).end();
      return;
    }
    signals.findOne({ _id: new Types.ObjectId(match[1]) }, { projection: PROJECTION }).then(
      (document) => {
        const body = JSON.stringify({
          data: { signal: document ? { ...document, id: String(document._id), _id: undefined } : null },
        });
        response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      },
      () => response.writeHead(500).end(),
    );
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
  });
  const stop = (): void => {
    server.close();
    void connection.close().finally(() => process.exit(0));
  };
  process.on('message', (message: { type?: string }) => message?.type === 'stop' && stop());
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', error: String(error) });
  process.exit(1);
});
