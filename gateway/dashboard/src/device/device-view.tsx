import { useEffect, useState } from 'preact/hooks';
import { describeError } from '../api/api-error';
import { DeviceOverviewQuery, DeviceRangeQuery } from '../api/operations';
import type {
  DeviceOverviewQuery as DeviceOverviewResult,
  DeviceRangeQuery as DeviceRangeResult,
} from '../gql/graphql';
import { GeoMap } from '../map/geo-map';
import { latestDataRange } from '../map/latest-range';
import type { TimeRange } from '../map/latest-range';
import { hrefOf } from '../router';
import { isOnline, useSession } from '../session-context';
import { SignalDetail } from '../signals/signal-detail';
import { SignalTable } from '../signals/signal-table';
import {
  formatBytes,
  formatDateTime,
  formatDistance,
  formatRelative,
  formatSpeed,
  fromDateTimeInput,
  toDateTimeInput,
} from '../ui/format';
import { useNow } from '../ui/use-now';
import { TrendChart } from './trend-chart';

const SIGNALS_PER_PAGE = 10;
const TRACK_POINTS = 1000;
const HOUR_MS = 3_600_000;

type Overview = NonNullable<DeviceOverviewResult['device']>;

/** One device: lifetime figures, the figures, trend and track of a time range, and its signals. */
export function DeviceView({ deviceId }: { deviceId: string }) {
  const { http, feed, config } = useSession();
  const now = useNow(1000);
  const [overview, setOverview] = useState<Overview | null | undefined>(undefined);
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [range, setRange] = useState<TimeRange | null>(null);
  const [rangeDraft, setRangeDraft] = useState({ from: '', to: '' });
  const [rangeData, setRangeData] = useState<DeviceRangeResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openSignalId, setOpenSignalId] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const after = cursors[cursors.length - 1] ?? null;

  useEffect(
    () =>
      feed.onSignal((signal) => {
        if (signal.deviceId === deviceId) setVersion((current) => current + 1);
      }),
    [feed, deviceId],
  );

  useEffect(() => {
    const abort = new AbortController();
    http
      .request(DeviceOverviewQuery, { id: deviceId, first: SIGNALS_PER_PAGE, after }, abort.signal)
      .then((result) => setOverview(result.device))
      .catch((failure: unknown) => {
        if (!abort.signal.aborted) setError(describeError(failure));
      });
    return () => abort.abort();
  }, [http, deviceId, after, version]);

  useEffect(() => {
    const abort = new AbortController();
    latestDataRange(http, deviceId, 24 * HOUR_MS, abort.signal)
      .then((latest) => {
        if (!latest) return;
        setRange((current) => current ?? latest);
        setRangeDraft((current) =>
          current.from ? current : { from: toDateTimeInput(latest.from), to: toDateTimeInput(latest.to) },
        );
      })
      .catch((failure: unknown) => {
        if (!abort.signal.aborted) setError(describeError(failure));
      });
    return () => abort.abort();
  }, [http, deviceId]);

  useEffect(() => {
    if (!range) return undefined;
    const abort = new AbortController();
    http
      .request(DeviceRangeQuery, { deviceId, ...range, maxPoints: TRACK_POINTS }, abort.signal)
      .then(setRangeData)
      .catch((failure: unknown) => {
        if (!abort.signal.aborted) setError(describeError(failure));
      });
    return () => abort.abort();
  }, [http, deviceId, range, version]);

  function applyRange(event: Event): void {
    event.preventDefault();
    const from = fromDateTimeInput(rangeDraft.from);
    const to = fromDateTimeInput(rangeDraft.to);
    if (!from || !to || Date.parse(from) >= Date.parse(to)) {
      setError('Choose a start before the end.');
      return;
    }
    setError(null);
    setRange({ from, to });
  }

  if (overview === null) {
    return (
      <section>
        <h1>Device {deviceId}</h1>
        <p class="error" role="alert">
          No device has this id.
        </p>
      </section>
    );
  }

  const stats = rangeData?.deviceStats;
  const online = overview ? isOnline(overview, now, config.onlineWindowSeconds) : false;
  const signals = overview?.signals;

  return (
    <section aria-labelledby="device-heading" class="device-view">
      <div class="view-heading">
        <h1 id="device-heading">
          Device {deviceId}{' '}
          {overview && <span class={`badge ${online ? 'online' : 'offline'}`}>{online ? 'Online' : 'Offline'}</span>}
        </h1>
        <a class="button-link" href={hrefOf({ view: 'map', deviceId })}>
          Show on map
        </a>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {overview && (
        <dl class="stat-cards" aria-label="Lifetime figures">
          <div>
            <dt>Last seen</dt>
            <dd title={formatDateTime(overview.lastSeen)}>{formatRelative(overview.lastSeen, now)}</dd>
          </div>
          <div>
            <dt>Signals</dt>
            <dd>{overview.signalCount}</dd>
          </div>
          <div>
            <dt>Total distance</dt>
            <dd>{formatDistance(overview.totalDistanceMeters)}</dd>
          </div>
          <div>
            <dt>Max speed</dt>
            <dd>{formatSpeed(overview.maxSpeed)}</dd>
          </div>
          <div>
            <dt>First seen</dt>
            <dd class="stat-date">{formatDateTime(overview.firstSeen)}</dd>
          </div>
        </dl>
      )}

      <form class="card range-form" onSubmit={applyRange} aria-label="Time range">
        <div class="field">
          <label for="range-from">From (UTC)</label>
          <input
            id="range-from"
            type="datetime-local"
            step={1}
            value={rangeDraft.from}
            onInput={(event) => setRangeDraft({ ...rangeDraft, from: event.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="range-to">To (UTC)</label>
          <input
            id="range-to"
            type="datetime-local"
            step={1}
            value={rangeDraft.to}
            onInput={(event) => setRangeDraft({ ...rangeDraft, to: event.currentTarget.value })}
          />
        </div>
        <button type="submit">Show range</button>
      </form>

      {!range && overview && overview.signalCount === 0 && <p class="hint">This device has no stored signal.</p>}
      {stats && (
        <dl class="stat-cards" aria-label="Figures of the range">
          <div>
            <dt>Signals in range</dt>
            <dd data-field="rangeSignalCount">{stats.signalCount}</dd>
          </div>
          <div>
            <dt>Distance</dt>
            <dd>{formatDistance(stats.distanceMeters)}</dd>
          </div>
          <div>
            <dt>Data</dt>
            <dd>{formatBytes(stats.dataVolume)}</dd>
          </div>
          <div>
            <dt>Speed max / avg</dt>
            <dd>
              {formatSpeed(stats.maxSpeed)} / {formatSpeed(stats.avgSpeed)}
            </dd>
          </div>
        </dl>
      )}
      {rangeData && (
        <div class="device-range">
          {range && <TrendChart title="Hourly trend" points={rangeData.trends} range={range} />}
          <GeoMap
            title={`Track of ${deviceId} in the range`}
            markers={[]}
            track={rangeData.track}
            tileUrl={config.tileUrl}
            tileAttribution={config.tileAttribution}
            height={420}
          />
        </div>
      )}

      <h2>Signals</h2>
      <SignalTable
        tableClass="device-signals"
        rows={signals?.edges.map(({ node }) => node) ?? []}
        openSignalId={openSignalId}
        onOpenSignal={setOpenSignalId}
      />
      <nav class="pager" aria-label="Device signal pages">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          disabled={!signals?.pageInfo.hasNextPage || !signals.pageInfo.endCursor}
          onClick={() => signals?.pageInfo.endCursor && setCursors([...cursors, signals.pageInfo.endCursor])}
        >
          Next
        </button>
      </nav>
      {openSignalId && (
        <SignalDetail key={openSignalId} signalId={openSignalId} onClose={() => setOpenSignalId(null)} />
      )}
    </section>
  );
}
