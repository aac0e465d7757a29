import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import { createOpsRouter, type ReadinessChecks } from './ops.router';

/** An Express app serving a service's `/healthz`, `/readyz` and `/metrics`, without `X-Powered-By`. */
export function createOpsApp(options: { checks: ReadinessChecks; registry: Registry }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(createOpsRouter(options));
  return app;
}
