import { Router } from 'express';
import type { Registry } from 'prom-client';

/** Outcome of one dependency check in `/readyz`. */
export type ReadinessChecks = Record<string, () => Promise<void>>;

/** How long one readiness check may take: FerretDB can stall, and a probe must not hang with it. */
const READINESS_CHECK_TIMEOUT_MS = 2_000;

function withTimeout(check: () => Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    check().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * `/healthz` (the process is alive), `/readyz` (every dependency answered within 2 s; 503 with
 * each failure otherwise) and `/metrics` (Prometheus text of `registry`).
 */
export function createOpsRouter(options: { checks: ReadinessChecks; registry: Registry }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const entries = Object.entries(options.checks);
    const results = await Promise.allSettled(entries.map(([, check]) => withTimeout(check, READINESS_CHECK_TIMEOUT_MS)));
    const dependencies: Record<string, string> = {};
    results.forEach((result, i) => {
      const name = (entries[i] as [string, unknown])[0];
      dependencies[name] = result.status === 'fulfilled' ? 'ok' : String((result.reason as Error).message);
    });
    const ready = results.every((r) => r.status === 'fulfilled');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', dependencies });
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', options.registry.contentType);
    res.send(await options.registry.metrics());
  });
  return router;
}
