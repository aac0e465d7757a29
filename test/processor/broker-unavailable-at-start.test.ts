import net from 'node:net';
import type { RunningProcessor } from '../../processor/processor.service';
import { Disposables } from '../support/disposables';
import { createSuiteInfra, type SuiteInfra } from '../support/suite-infra';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait-for';
import { startTestProcessor } from './support/processor-harness';

jest.setTimeout(60_000);

/** A local port free right now (the processor is told it in advance: its start has not resolved yet). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('processor started while the broker refuses connections', () => {
  const disposables = new Disposables();
  let infra: SuiteInfra;
  let broker: TcpProxy;

  beforeAll(async () => {
    infra = disposables.add(await createSuiteInfra('processor_broker_at_start'), (i) => i.dispose());
    broker = disposables.add(await startTcpProxy(infra.amqpUrl), (p) => p.close());
  });
  afterAll(() => disposables.disposeAll());

  it('answers /healthz and a failing /readyz while it waits, then starts consuming once the broker is back', async () => {
    broker.cut();
    const port = await freePort();
    // Closed with the suite even if an assertion fails before the start resolves.
    const starting = disposables.add(
      startTestProcessor(infra, { AMQP_URL: broker.urlFor(infra.amqpUrl), PROCESSOR_PORT: String(port) }),
      async (start) => {
        // The start resolves only once the broker answers.
        broker.restore();
        await (await start.catch(() => undefined))?.close();
      },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the ops endpoints answering', async () => (await fetch(`${base}/healthz`)).status === 200);
    const waiting = await fetch(`${base}/readyz`);
    expect(waiting.status).toBe(503);
    expect(await waiting.json()).toMatchObject({ status: 'not ready', dependencies: { mongo: 'ok', redis: 'ok' } });

    broker.restore();
    const processor: RunningProcessor = await starting;
    expect(processor.port).toBe(port);
    await waitFor('ready', async () => (await fetch(`${base}/readyz`)).status === 200);
  });
});
