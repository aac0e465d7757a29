import { Counter, Histogram, type Registry } from 'prom-client';

/** Most distinct operation names kept as label values; later ones count as `other`. */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The gateway core's own metrics, on the instance's registry. */
export interface GatewayMetrics {
  operations: Counter<'operation' | 'type' | 'outcome'>;
  operationDuration: Histogram<'operation' | 'type'>;
  rateLimitRefusals: Counter<'transport'>;
  /** A label value for an operation name: client-chosen names are bounded in number and shape. */
  operationLabel(name: string | null | undefined): string;
}

export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  const seen = new Set<string>();
  return {
    operations: new Counter({
      name: 'gateway_operations_total',
      help: 'GraphQL operations over HTTP by operation name, type and outcome (success, error).',
      labelNames: ['operation', 'type', 'outcome'],
      registers: [registry],
    }),
    operationDuration: new Histogram({
      name: 'gateway_operation_duration_seconds',
      help: 'Duration of GraphQL operations over HTTP, seconds.',
      labelNames: ['operation', 'type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rateLimitRefusals: new Counter({
      name: 'gateway_rate_limit_refusals_total',
      help: 'Requests and websocket subscribes refused by the per-key rate limit.',
      labelNames: ['transport'],
      registers: [registry],
    }),
    operationLabel(name) {
      if (!name) return 'anonymous';
      if (!OPERATION_NAME_PATTERN.test(name)) return 'other';
      if (seen.has(name)) return name;
      if (seen.size >= MAX_OPERATION_NAMES) return 'other';
      seen.add(name);
      return name;
    },
  };
}
