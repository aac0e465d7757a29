import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/api-error';
import { SignalDetailQuery } from '../api/operations';
import type { SignalDetailQuery as SignalDetailResult } from '../gql/graphql';
import { GeoMap } from '../map/geo-map';
import { useSession } from '../session-context';
import {
  formatBytes,
  formatCoordinate,
  formatDateTime,
  formatDistance,
  formatDuration,
  formatSpeed,
} from '../ui/format';

const DETAIL_POINTS = 500;

/** Everything stored about one signal: figures, its samples on a map, and the raw record. */
export function SignalDetail({ signalId, onClose }: { signalId: string; onClose(): void }) {
  const { http, config } = useSession();
  const [signal, setSignal] = useState<SignalDetailResult['signal'] | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const loaded = signal !== undefined;
  useEffect(() => {
    // Opened from a row further up: put the keyboard on the details and, once they are drawn, show them.
    headingRef.current?.focus({ preventScroll: true });
    headingRef.current?.scrollIntoView({ block: 'start' });
  }, [signalId, loaded]);

  useEffect(() => {
    const abort = new AbortController();
    setSignal(undefined);
    setError(null);
    http
      .request(SignalDetailQuery, { id: signalId, maxPoints: DETAIL_POINTS }, abort.signal)
      .then((result) => setSignal(result.signal))
      .catch((failure: unknown) => {
        if (!abort.signal.aborted) setError(describeError(failure));
      });
    return () => abort.abort();
  }, [http, signalId]);

  return (
    <section class="card signal-detail" aria-labelledby="signal-detail-heading">
      <div class="view-heading">
        <h2 id="signal-detail-heading" ref={headingRef} tabIndex={-1}>
          Signal {signalId}
        </h2>
        <button type="button" class="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {signal === undefined && !error && <p role="status">Loading…</p>}
      {signal === null && <p class="error">This signal no longer exists.</p>}
      {signal && (
        <>
          <dl class="detail-grid">
            <dt>Device</dt>
            <dd>{signal.deviceId}</dd>
            <dt>Time</dt>
            <dd>{formatDateTime(signal.time)}</dd>
            <dt>Received</dt>
            <dd>{formatDateTime(signal.ingestedAt)}</dd>
            <dt>Samples</dt>
            <dd>{signal.dataLength}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(signal.dataVolume)}</dd>
            <dt>Distance</dt>
            <dd>{formatDistance(signal.stats.distanceMeters)}</dd>
            <dt>Duration</dt>
            <dd>{formatDuration(signal.stats.durationMs)}</dd>
            <dt>Speed (max / avg)</dt>
            <dd>
              {formatSpeed(signal.stats.maxSpeed)} / {formatSpeed(signal.stats.avgSpeed)}
            </dd>
            <dt>Dropped samples</dt>
            <dd>{signal.stats.droppedSamples}</dd>
            <dt>Start</dt>
            <dd>
              {formatCoordinate(signal.start.lat)}, {formatCoordinate(signal.start.lon)}
            </dd>
            <dt>End</dt>
            <dd>
              {formatCoordinate(signal.end.lat)}, {formatCoordinate(signal.end.lon)}
            </dd>
          </dl>
          <GeoMap
            title={`Samples of signal ${signal.id}`}
            markers={[]}
            track={signal.points}
            area={signal.bbox}
            tileUrl={config.tileUrl}
            tileAttribution={config.tileAttribution}
            height={360}
          />
          <details>
            <summary>Raw record ({signal.points.length} points shown)</summary>
            <pre class="raw-json">{JSON.stringify(signal, null, 2)}</pre>
          </details>
        </>
      )}
    </section>
  );
}
