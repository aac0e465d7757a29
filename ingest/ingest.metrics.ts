import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one ingest instance, in a registry of its own (several instances can share a process). */
export class IngestMetrics {
  readonly registry = new Registry();

  private readonly requests = new Counter({
    name: 'ingest_http_requests_total',
    help: 'POST /v1/xray answers by HTTP status code.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  private readonly refusals = new Counter({
    name: 'ingest_refusals_total',
    help: 'Refused x-ray messages by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  private readonly publishDuration = new Histogram({
    name: 'ingest_publish_duration_seconds',
    help: 'Time from publish to the broker confirm (or its failure).',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private readonly brokerAvailable = new Gauge({
    name: 'ingest_broker_available',
    help: '1 while ingest holds a usable confirm channel to the broker.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ingest_' });
    this.brokerAvailable.set(0);
  }

  observeAnswer(status: number, refusalCode?: string): void {
    this.requests.inc({ status: String(status) });
    if (refusalCode) this.refusals.inc({ code: refusalCode });
  }

  observePublish(seconds: number, confirmed: boolean): void {
    this.publishDuration.observe({ outcome: confirmed ? 'confirmed' : 'failed' }, seconds);
  }

  setBrokerAvailable(available: boolean): void {
    this.brokerAvailable.set(available ? 1 : 0);
  }
}
