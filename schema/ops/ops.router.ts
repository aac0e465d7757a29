import { Router } from 'express';
import type { Registry } from 'prom-client';
import { withTimeout } from './with-timeout';

/** Outcome of one dependency check in `/readyz`. */
export type ReadinessChecks = Record<string, () => Promise<void>>;

/** How long one readiness check may take: FerretDB can stall, and a probe must not hang with it. */
const READINESS_CHECK_TIMEOUT_MS = 2_000;

/** Runs `checks` side by side, each within `timeoutMs`; resolves with the message of each that failed. */
export async function failedChecks(
  checks: ReadinessChecks,
  timeoutMs: number = READINESS_CHECK_TIMEOUT_MS,
): Promise<Record<string, string>> {
  const entries = Object.entries(checks);
  const results = await Promise.allSettled(entries.map(([, check]) => withTimeout(check(), timeoutMs)));
  const failed: Record<string, string> = {};
  results.forEach((result, i) => {
    if (result.status === 'rejected')
      failed[(entries[i] as [string, unknown])[0]] = String((result.reason as Error).message);
  });
  return failed;
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
    const failed = await failedChecks(options.checks);
    const dependencies: Record<string, string> = {};
    for (const name of Object.keys(options.checks)) dependencies[name] = failed[name] ?? 'ok';
    const ready = Object.keys(failed).length === 0;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', dependencies });
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', options.registry.contentType);
    res.send(await options.registry.metrics());
  });
  return router;
}
