import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The processor's Prometheus metrics, on a registry of its own (several instances may share a process). */
export interface ProcessorMetrics {
  registry: Registry;
  /** Messages finished, by queue (`raw`, `command`) and outcome (`stored`, `duplicate`, `retried`, `dead_lettered`, ...). */
  processed: Counter<'queue' | 'outcome'>;
  droppedSamples: Counter;
  retries: Counter;
  heldForOutage: Counter;
  deadLetters: Counter<'reason'>;
  processingSeconds: Histogram<'queue'>;
  retentionDeletedSignals: Counter;
}

export function createProcessorMetrics(): ProcessorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'xray_processor_' });
  return {
    registry,
    processed: new Counter({
      name: 'xray_processor_messages_total',
      help: 'Messages finished, by queue and outcome.',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    droppedSamples: new Counter({
      name: 'xray_processor_dropped_samples_total',
      help: 'Samples dropped as GPS jumps (implied speed over the limit).',
      registers: [registry],
    }),
    retries: new Counter({
      name: 'xray_processor_retries_total',
      help: 'Messages scheduled for another attempt after a transient failure.',
      registers: [registry],
    }),
    heldForOutage: new Counter({
      name: 'xray_processor_held_for_outage_total',
      help: 'Messages whose last attempt failed while the database or Redis was down, tried again instead of dead-lettered.',
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'xray_processor_dead_letters_total',
      help: 'Messages sent to the dead-letter queue, by reason class (poison, exhausted).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    processingSeconds: new Histogram({
      name: 'xray_processor_processing_seconds',
      help: 'Time from delivery to acknowledgement.',
      labelNames: ['queue'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    retentionDeletedSignals: new Counter({
      name: 'xray_processor_retention_deleted_signals_total',
      help: 'Signals deleted by the retention job.',
      registers: [registry],
    }),
  };
}
