import type { MessageSource } from './fleet.source';
import { postSignedXRay } from './signed-xray.client';
import { SimulationStats } from './simulation.stats';

/** setTimeout's largest delay; longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SimulationRun {
  url: string;
  fleetSecret: string;
  /** Messages per second across the fleet. */
  rate: number;
  concurrency: number;
  durationS?: number;
  messages?: number;
  /** Stops the run early (SIGINT); requests in flight still finish. */
  stop?: AbortSignal;
  onProgress?: (stats: SimulationStats) => void;
  progressEveryS?: number;
}

/**
 * Sends messages open-loop at `rate` per second (message k is due at k / rate s), at most `concurrency` at once, so
 * a slow ingest shows up as latency and a lower achieved rate rather than a silently slower schedule.
 */
export async function runSimulation(run: SimulationRun, source: MessageSource): Promise<SimulationStats> {
  const stats = new SimulationStats();
  const startedAt = performance.now();
  const endsAt = run.durationS === undefined ? Number.POSITIVE_INFINITY : startedAt + run.durationS * 1000;
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let wake: (() => void) | undefined;
  const wakeUp = (): void => wake?.();
  run.stop?.addEventListener('abort', wakeUp, { once: true });
  const progress =
    run.onProgress && run.progressEveryS && run.progressEveryS > 0
      ? setInterval(() => run.onProgress?.(stats), run.progressEveryS * 1000)
      : undefined;

  const send = (): void => {
    const { deviceId, body } = source.next(Date.now());
    const request = postSignedXRay(run.url, { fleetSecret: run.fleetSecret, deviceId, body }).then(
      (result) => stats.recordAnswer(result.status, result.latencyMs),
      () => stats.recordNetworkError(),
    );
    inFlight.add(request);
    void request.finally(() => {
      inFlight.delete(request);
      wakeUp();
    });
  };

  try {
    for (;;) {
      const now = performance.now();
      if (run.stop?.aborted || now >= endsAt || (run.messages !== undefined && sent >= run.messages)) break;
      const due = Math.floor(((now - startedAt) / 1000) * run.rate) + 1;
      while (sent < due && inFlight.size < run.concurrency && (run.messages === undefined || sent < run.messages)) {
        send();
        sent += 1;
      }
      // With every slot taken only a finished request (or the end) can let the next one go.
      const wakeAt = inFlight.size >= run.concurrency ? endsAt : Math.min(startedAt + (sent / run.rate) * 1000, endsAt);
      // Woken at that time, by a finished request or by the stop signal.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, Math.min(MAX_TIMER_MS, Math.max(0, wakeAt - performance.now())));
        wake = done;
      });
    }
    await Promise.allSettled([...inFlight]);
  } finally {
    if (progress) clearInterval(progress);
    run.stop?.removeEventListener('abort', wakeUp);
  }
  return stats;
}
