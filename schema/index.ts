/**
 * The public index of `schema/`: everything the deployables share. Nothing here does I/O.
 */
import 'reflect-metadata';

export * from './xray-message';
export * from './sample-times';
export * from './xray-message.validator';
export * from './listed-issues';
export * from './signature';
export * from './topology';
export * from './channels';
export * from './processed-signal.event';
export * from './position-correction.event';
export * from './signal-command';
export * from './track-codec';
export * from './models/position.model';
export * from './models/bbox.model';
export * from './models/signal-stats.model';
export * from './models/signal.model';
export * from './models/signal-track.model';
export * from './models/device.model';
export * from './models/hour-bucket.model';
export * from './day-field.migration';
export * from './signal-span.migration';
export * from './rollup-repairs';
export * from './models/api-key.model';
export * from './ops/assert-never';
export * from './ops/confirm-publish';
export * from './ops/logger';
export * from './ops/mongo-monitor.watchdog';
export * from './ops/ops.router';
export * from './ops/ops-app';
export * from './ops/running-service';
export * from './ops/service-redis';
export * from './ops/with-timeout';
export * from './topology.declare';
export * from './ops/parse-env';
export * from './ops/env-fields';
