import { SteadyWindow } from './steady-window';

describe('SteadyWindow', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('rates the completions between 25 % and 100 % of the window, leaving out ramp-up and drain', () => {
    const steady = new SteadyWindow(10_000).start(performance.now());
    let count = 0;
    // Slow ramp-up: 1 per second for 2.5 s, then 10 per second, then a drain after the window.
    for (let ms = 0; ms < 12_000; ms += 100) {
      jest.advanceTimersByTime(100);
      const elapsed = ms + 100;
      count += elapsed <= 2_500 ? (elapsed % 1_000 === 0 ? 1 : 0) : 1;
      steady.record(count);
    }
    const rate = steady.rate();
    expect(rate.perSecond).toBeCloseTo(10, 5);
    expect(rate.seconds).toBeCloseTo(7.5, 5);
  });

  it('refuses a rate without two completions in the steady window', () => {
    const steady = new SteadyWindow(1_000).start(performance.now());
    jest.advanceTimersByTime(500);
    steady.record(1);
    expect(() => steady.rate()).toThrow(/too few completions/);
  });
});
