import { ExclusiveGate } from './exclusive-gate';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('ExclusiveGate', () => {
  it('runs shared work concurrently', async () => {
    const gate = new ExclusiveGate();
    const first = deferred();
    let running = 0;
    let most = 0;
    const work = () =>
      gate.shared(async () => {
        running += 1;
        most = Math.max(most, running);
        await first.promise;
        running -= 1;
      });
    const all = Promise.all([work(), work(), work()]);
    first.resolve();
    await all;
    expect(most).toBe(3);
  });

  it('starts exclusive work only after shared work finished, and holds new shared work back', async () => {
    const gate = new ExclusiveGate();
    const order: string[] = [];
    const release = deferred();
    const shared1 = gate.shared(async () => {
      order.push('shared1 start');
      await release.promise;
      order.push('shared1 end');
    });
    const exclusive = gate.exclusive(async () => {
      order.push('exclusive');
    });
    const shared2 = gate.shared(async () => {
      order.push('shared2');
    });
    release.resolve();
    await Promise.all([shared1, exclusive, shared2]);
    expect(order).toEqual(['shared1 start', 'shared1 end', 'exclusive', 'shared2']);
  });

  it('releases the gate when work throws', async () => {
    const gate = new ExclusiveGate();
    await expect(gate.exclusive(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate.shared(async () => 'ok')).resolves.toBe('ok');
  });
});
