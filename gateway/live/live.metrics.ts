import { Counter, Gauge, type Registry } from 'prom-client';

/** Subscription kinds, the `subscription` label of the live metrics. */
export type LiveSubscriptionKind = 'signalProcessed' | 'devicePosition';

/** Metrics of the live streams, registered in the gateway instance's own registry. */
export interface LiveMetrics {
  /** Live streams open now (one per running live subscription). */
  openStreams: Gauge<'subscription'>;
  /** Events accepted into a subscription's buffer (after filters). */
  eventsBuffered: Counter<'subscription'>;
  /** Events currently waiting in subscription buffers. */
  bufferedEvents: Gauge<'subscription'>;
  /** Times a subscription buffer reached its cap. */
  bufferOverflows: Counter<'subscription'>;
  /** Buffered events discarded: signals are then re-read from the database, positions coalesce. */
  eventsDiscarded: Counter<'subscription'>;
  /** Database pages read to replay (`since`) or recover (after an overflow or a Redis gap). */
  replayPages: Counter;
  /** Redis messages that were not a well-formed processed-signal event. */
  malformedEvents: Counter;
  /** Messages whose position was older than its device's newest: no `devicePosition` stream got them. */
  stalePositions: Counter;
  /** Devices whose stored newest position was read (once per device, again after it was forgotten). */
  positionLookups: Counter<'outcome'>;
}

export function createLiveMetrics(registry: Registry): LiveMetrics {
  const registers = [registry];
  return {
    openStreams: new Gauge({
      name: 'gateway_live_open_streams',
      help: 'Live subscription streams open now.',
      labelNames: ['subscription'],
      registers,
    }),
    eventsBuffered: new Counter({
      name: 'gateway_live_events_buffered_total',
      help: 'Events accepted into a subscription buffer after its filters.',
      labelNames: ['subscription'],
      registers,
    }),
    bufferedEvents: new Gauge({
      name: 'gateway_live_buffered_events',
      help: 'Events waiting in subscription buffers for slow clients.',
      labelNames: ['subscription'],
      registers,
    }),
    bufferOverflows: new Counter({
      name: 'gateway_live_buffer_overflows_total',
      help: 'Times a subscription buffer reached its cap.',
      labelNames: ['subscription'],
      registers,
    }),
    eventsDiscarded: new Counter({
      name: 'gateway_live_events_discarded_total',
      help: 'Buffered events discarded (signals are re-read from the database; positions coalesce to the latest).',
      labelNames: ['subscription'],
      registers,
    }),
    replayPages: new Counter({
      name: 'gateway_live_replay_pages_total',
      help: 'Database pages read to replay or recover subscriptions.',
      registers,
    }),
    malformedEvents: new Counter({
      name: 'gateway_live_malformed_events_total',
      help: 'Redis messages ignored because they were not a processed-signal event.',
      registers,
    }),
    stalePositions: new Counter({
      name: 'gateway_live_stale_positions_total',
      help: "Messages not delivered to devicePosition subscribers: older than the device's newest position.",
      registers,
    }),
    positionLookups: new Counter({
      name: 'gateway_live_position_lookups_total',
      help: 'Devices whose stored newest position was read for devicePosition (outcome ok or failed).',
      labelNames: ['outcome'],
      registers,
    }),
  };
}
