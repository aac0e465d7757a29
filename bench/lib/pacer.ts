/**
 * Calls `emit(index)` at `ratePerSecond` on average for `durationMs`, catching up in bursts when the
 * event loop was late (open-loop load: a slow system does not slow the offered rate down).
 * Resolves with the number emitted.
 */
export async function paced(ratePerSecond: number, durationMs: number, emit: (index: number) => void): Promise<number> {
  const startedAt = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - startedAt;
      const due = Math.min(
        Math.floor((Math.min(elapsed, durationMs) / 1000) * ratePerSecond),
        Math.floor((durationMs / 1000) * ratePerSecond),
      );
      while (sent < due) emit(sent++);
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  return sent;
}

/** Resolves when `condition()` holds, checking every `intervalMs`; false when `timeoutMs` passed first. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
