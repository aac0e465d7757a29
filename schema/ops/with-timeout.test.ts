import { withTimeout } from './with-timeout';

describe('withTimeout', () => {
  it('answers with the promise when it settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('refused')), 1_000)).rejects.toThrow('refused');
  });

  it('rejects once the time is up when the promise never settles', async () => {
    await expect(withTimeout(new Promise(() => undefined), 10)).rejects.toThrow('no answer within 10 ms');
  });
});
