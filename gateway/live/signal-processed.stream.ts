import { Types } from 'mongoose';
import type { Logger } from '../../schema';
import { isDependencyOutage, OUTAGE_RETRY_AFTER_SEC } from '../errors/dependency-outage';
import { DependencyUnavailableError, InternalServerError } from '../errors/gateway-errors';
import { bboxIntersects, type BBoxFilter } from './bbox-filter';
import type { LiveMetrics } from './live.metrics';
import { LiveStream } from './live-stream';
import type { LiveEvent } from './live-event';
import type { LiveSignal } from './processed-signal.mapper';
import { RecentIds } from './recent-ids';
import { compareObjectIds, type ReplayPosition, type SignalReplay } from './signal-replay';

export interface SignalProcessedStreamOptions {
  deviceIds: readonly string[] | undefined;
  bbox: BBoxFilter | undefined;
  /** Replay the matching stored signals after this id before going live. */
  since: Types.ObjectId | undefined;
  /** Most live events held for a slow client. */
  bufferCap: number;
  replay: SignalReplay;
  metrics: LiveMetrics;
  logger: Logger;
}

const KIND = 'signalProcessed';

/**
 * The `signalProcessed` subscription of one client: live events, preceded by a replay of what
 * was stored after `since`, with no gap and no repeat at the seam.
 *
 * The Redis listener is attached (and confirmed) before the first database page is read, so an
 * event stored during the replay is either in a page or in the buffer; ids already sent are
 * dropped from the buffer. The buffer is bounded: when a slow client lets it reach `bufferCap`,
 * its events are discarded and the stream re-reads them from the database after the last id it
 * delivered (the processor publishes only what it stored), paced by the client. A Redis
 * reconnect does the same. So memory stays bounded and no stored signal is lost; only a
 * revision of a signal older than that id, discarded with the buffer, is not read back.
 *
 * Order is ingest order (ObjectId) within a replay and publish order when live. A revised signal
 * (`updateSignal`) is delivered again under its id; the resume point stays the greatest id
 * delivered, so an update of an old signal never makes a recovery re-read everything after it
 * (nor does a replay bring back an update of a signal older than its resume point).
 */
export class SignalProcessedStream extends LiveStream<Readonly<LiveSignal>> {
  private mode: 'replay' | 'live';
  private position: ReplayPosition;
  private replayPage: LiveSignal[] = [];
  /** Live events not yet delivered, by signal id, in arrival order. */
  private readonly buffer = new Map<string, LiveEvent>();
  /** Bumped whenever buffered events are discarded; a replay ending across a bump reads again. */
  private discardEpoch = 0;
  private readonly recentlySent: RecentIds;
  /** The greatest id delivered (recovery resumes after it); revised old signals do not move it back. */
  private lastSentId: Types.ObjectId | undefined;
  /**
   * Where recovery starts when nothing was delivered yet: the second the stream opened, or the
   * oldest id that arrived live since (an id is made before its signal is stored and published).
   */
  private origin: ReplayPosition;
  private readonly deviceIdSet: ReadonlySet<string> | undefined;

  constructor(private readonly options: SignalProcessedStreamOptions) {
    super();
    this.deviceIdSet = options.deviceIds ? new Set(options.deviceIds) : undefined;
    // Without `since`, ids from the opening second on may be re-read after an overflow;
    // `recentlySent` keeps them from repeating.
    this.origin = options.since
      ? { afterId: options.since }
      : { fromId: Types.ObjectId.createFromTime(Math.floor(Date.now() / 1000)) };
    this.position = this.origin;
    this.mode = options.since ? 'replay' : 'live';
    this.recentlySent = new RecentIds(Math.max(1024, options.bufferCap * 4));
    this.onClose(() => {
      this.options.metrics.bufferedEvents.dec({ subscription: KIND }, this.buffer.size);
      this.buffer.clear();
      this.replayPage = [];
    });
  }

  /** Events waiting for the client (bounded by `bufferCap`). */
  get bufferedCount(): number {
    return this.buffer.size;
  }

  /** Redis listener: filters, deduplicates and buffers one event (shared with other streams, never changed). */
  readonly push = (live: LiveEvent): void => {
    if (this.closed) return;
    const { event } = live;
    if (this.deviceIdSet && !this.deviceIdSet.has(event.deviceId)) return;
    if (this.options.bbox && !bboxIntersects(event.bbox, this.options.bbox)) return;
    // At-least-once delivery republishes the same signal id; a revision is new content under it.
    if (event.revised) {
      if (this.buffer.delete(event.signalId)) this.options.metrics.bufferedEvents.dec({ subscription: KIND });
    } else {
      if (this.recentlySent.has(event.signalId) || this.buffer.has(event.signalId)) return;
      if (
        this.lastSentId === undefined &&
        'fromId' in this.origin &&
        compareObjectIds(live.signal._id, this.origin.fromId) < 0
      ) {
        this.origin = { fromId: live.signal._id };
      }
    }
    if (this.buffer.size >= this.options.bufferCap) this.discardBuffer('overflow');
    this.buffer.set(event.signalId, live);
    this.options.metrics.eventsBuffered.inc({ subscription: KIND });
    this.options.metrics.bufferedEvents.inc({ subscription: KIND });
    this.notify();
  };

  /** Events may have been missed (Redis reconnected): recover from the database. */
  readonly recover = (): void => {
    if (this.closed) return;
    this.discardBuffer('gap');
    this.notify();
  };

  protected async pull(): Promise<Readonly<LiveSignal> | undefined> {
    for (;;) {
      if (this.mode === 'replay') {
        const stored = this.replayPage.shift();
        if (stored) {
          this.position = { afterId: stored._id };
          const id = stored._id.toHexString();
          // The live copy goes, unless it is a revision, which the page may have been read before.
          if (this.buffer.get(id)?.event.revised !== true && this.buffer.delete(id)) {
            this.options.metrics.bufferedEvents.dec({ subscription: KIND });
          }
          if (this.recentlySent.has(id)) continue;
          this.markSent(id, stored._id);
          return stored;
        }
        const epoch = this.discardEpoch;
        let page: LiveSignal[];
        try {
          page = await this.options.replay.nextPage(this.position, {
            deviceIds: this.options.deviceIds,
            bbox: this.options.bbox,
          });
        } catch (error) {
          const again = 'subscribe again with `since` set to the greatest id received';
          if (isDependencyOutage(error)) {
            this.options.logger.warn({ err: error }, 'live: replay page failed: the database is away');
            throw new DependencyUnavailableError(`the database is unreachable right now; ${again}, shortly`, {
              retryAfterMs: OUTAGE_RETRY_AFTER_SEC * 1_000,
            });
          }
          this.options.logger.error({ err: error }, 'live: replay page failed');
          throw new InternalServerError(`reading stored signals failed; ${again}`);
        }
        this.options.metrics.replayPages.inc();
        if (this.closed) return undefined;
        if (page.length > 0) {
          this.replayPage = page;
          continue;
        }
        // Caught up; but events discarded while this page was read may be stored past it.
        if (epoch !== this.discardEpoch) continue;
        this.mode = 'live';
        continue;
      }
      const first = this.buffer.entries().next();
      if (first.done) return undefined;
      const [id, live] = first.value;
      this.buffer.delete(id);
      this.options.metrics.bufferedEvents.dec({ subscription: KIND });
      if (!live.event.revised && this.recentlySent.has(id)) continue;
      this.markSent(id, live.signal._id, live.event.revised === true);
      return live.signal;
    }
  }

  /** A revision is never a resume point: its id may be far older than anything delivered (or than `origin`). */
  private markSent(id: string, objectId: Types.ObjectId, revised = false): void {
    this.recentlySent.add(id);
    if (revised) return;
    if (this.lastSentId === undefined || compareObjectIds(objectId, this.lastSentId) > 0) this.lastSentId = objectId;
  }

  private discardBuffer(reason: 'overflow' | 'gap'): void {
    const discarded = this.buffer.size;
    this.buffer.clear();
    this.options.metrics.bufferedEvents.dec({ subscription: KIND }, discarded);
    this.options.metrics.eventsDiscarded.inc({ subscription: KIND }, discarded);
    if (reason === 'overflow') this.options.metrics.bufferOverflows.inc({ subscription: KIND });
    this.discardEpoch += 1;
    if (this.mode === 'live') {
      this.mode = 'replay';
      this.replayPage = [];
      this.position = this.lastSentId ? { afterId: this.lastSentId } : this.origin;
    }
  }
}
