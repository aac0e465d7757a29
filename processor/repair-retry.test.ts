import { silentLogger } from '../schema';
import { RepairRetry } from './repair-retry';

describe('RepairRetry', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A repair whose outcomes are scripted: true (done), false (left something), or an Error. */
  function scripted(outcomes: Array<boolean | Error>) {
    const runs: number[] = [];
    const repair = async (): Promise<boolean> => {
      runs.push(Date.now());
      const outcome = outcomes.shift() ?? true;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    };
    return { runs, repair };
  }

  it('runs once after the first wait, however many requests came before it', async () => {
    const { runs, repair } = scripted([true]);
    const retry = new RepairRetry(repair, { initialDelayMs: 1000, maxDelayMs: 8000 }, silentLogger());
    const start = Date.now();
    retry.request();
    retry.request();
    await jest.advanceTimersByTimeAsync(999);
    expect(runs).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    retry.request();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs.map((t) => t - start)).toEqual([1000, 2000]);
    await retry.close();
  });

  it('runs again while runs fail or leave something, doubling the wait up to the most, then starts over', async () => {
    const { runs, repair } = scripted([new Error('database away'), false, new Error('still away'), false, true, true]);
    const retry = new RepairRetry(repair, { initialDelayMs: 1000, maxDelayMs: 4000 }, silentLogger());
    const start = Date.now();
    retry.request();
    await jest.advanceTimersByTimeAsync(60_000);
    // Waits of 1, 2, 4, 4 and 4 s: the fifth run leaves nothing, and nothing runs after it.
    expect(runs.map((t) => t - start)).toEqual([1000, 3000, 7000, 11_000, 15_000]);
    // A later request waits the first wait again.
    const requestedAgain = Date.now();
    retry.request();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs).toHaveLength(6);
    expect((runs[5] as number) - requestedAgain).toBe(1000);
    await retry.close();
  });

  it('runs again after a run during which another failure asked for one', async () => {
    let retry!: RepairRetry;
    const runs: number[] = [];
    const repair = async (): Promise<boolean> => {
      runs.push(Date.now());
      // Asked while the run is under way, before and after its first wait.
      if (runs.length === 1) retry.request();
      await Promise.resolve();
      if (runs.length === 1) retry.request();
      return true;
    };
    retry = new RepairRetry(repair, { initialDelayMs: 1000, maxDelayMs: 4000 }, silentLogger());
    const start = Date.now();
    retry.request();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs.map((t) => t - start)).toEqual([1000, 2000]);
    await retry.close();
  });

  it('runs nothing once closed', async () => {
    const { runs, repair } = scripted([false]);
    const retry = new RepairRetry(repair, { initialDelayMs: 1000, maxDelayMs: 4000 }, silentLogger());
    retry.request();
    await retry.close();
    retry.request();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(runs).toEqual([]);
  });
});
