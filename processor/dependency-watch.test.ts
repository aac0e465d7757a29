import { DependencyWatch } from './dependency-watch';

describe('DependencyWatch', () => {
  it('names every dependency that is down, and nothing when all answer', async () => {
    let redisUp = false;
    let clock = 0;
    const watch = new DependencyWatch(
      {
        mongo: async () => undefined,
        redis: async () => {
          if (!redisUp) throw new Error('connection refused');
        },
      },
      () => clock,
    );
    await expect(watch.outage()).resolves.toBe('redis: connection refused');
    redisUp = true;
    clock += 1_000;
    await expect(watch.outage()).resolves.toBeUndefined();
  });

  it('shares one check between questions within a second', async () => {
    let checks = 0;
    let clock = 0;
    const watch = new DependencyWatch(
      {
        mongo: async () => {
          checks += 1;
          throw new Error('no answer');
        },
      },
      () => clock,
    );
    await Promise.all([watch.outage(), watch.outage(), watch.outage()]);
    clock += 999;
    await watch.outage();
    expect(checks).toBe(1);
    clock += 1;
    await watch.outage();
    expect(checks).toBe(2);
  });
});
