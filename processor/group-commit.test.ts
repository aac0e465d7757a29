import { GroupCommit } from './group-commit';

/** A write the test finishes by hand, so it can submit while one is under way. */
function controlledWrites(): {
  writes: number[][];
  finish: (error?: Error) => void;
  write: (items: number[]) => Promise<void>;
} {
  const writes: number[][] = [];
  const finishers: Array<(error?: Error) => void> = [];
  return {
    writes,
    finish: (error) => (finishers.shift() as (error?: Error) => void)(error),
    write: (items) =>
      new Promise<void>((resolve, reject) => {
        writes.push(items);
        finishers.push((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

describe('GroupCommit', () => {
  it('writes everything submitted during a write in one next write', async () => {
    const control = controlledWrites();
    const commit = new GroupCommit<number>(control.write);
    const first = commit.submit([1]);
    const second = commit.submit([2, 3]);
    const third = commit.submit([4]);
    expect(control.writes).toEqual([[1]]);
    control.finish();
    await first;
    expect(control.writes).toEqual([[1], [2, 3, 4]]);
    control.finish();
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
  });

  it('rejects every submission a failed write covered and goes on with later ones', async () => {
    const control = controlledWrites();
    const commit = new GroupCommit<number>(control.write);
    const first = commit.submit([1]);
    const second = commit.submit([2]);
    const third = commit.submit([3]);
    control.finish();
    await first;
    control.finish(new Error('database down'));
    await expect(second).rejects.toThrow('database down');
    await expect(third).rejects.toThrow('database down');
    const fourth = commit.submit([4]);
    expect(control.writes).toEqual([[1], [2, 3], [4]]);
    control.finish();
    await expect(fourth).resolves.toBeUndefined();
  });

  it('resolves an empty submission without writing', async () => {
    const control = controlledWrites();
    const commit = new GroupCommit<number>(control.write);
    await expect(commit.submit([])).resolves.toBeUndefined();
    expect(control.writes).toEqual([]);
  });
});
