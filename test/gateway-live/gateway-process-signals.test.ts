import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Disposables } from '../support/disposables';
import { createSuiteInfra } from '../support/suite-infra';
import { waitFor } from '../support/wait-for';
import { gatewayEnvFor } from '../gateway/support/gateway-harness';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..', '..');

describe('the gateway process', () => {
  const disposables = new Disposables();
  afterAll(() => disposables.disposeAll());

  it('drains and exits 0 on one SIGTERM, outside tests as well (NODE_ENV production)', async () => {
    const infra = disposables.add(await createSuiteInfra('gateway-process-signals'), (i) => i.dispose());
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'gateway', 'main.js')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Apollo Server installs signal handlers of its own unless NODE_ENV is `test`.
      env: { PATH: process.env.PATH, ...gatewayEnvFor(infra, { LOG_LEVEL: 'info' }), NODE_ENV: 'production' },
    });
    disposables.add(child, (c) => {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    await waitFor('the gateway ready', async () => output.includes('gateway ready'), 30_000);

    child.kill('SIGTERM');

    expect(await exited).toBe(0);
    expect(output).toContain('gateway stopped');
  });
});
