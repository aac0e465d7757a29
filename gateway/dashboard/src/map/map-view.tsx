import { useEffect, useMemo, useState } from 'preact/hooks';
import { describeError } from '../api/api-error';
import { MapTrackQuery } from '../api/operations';
import type { MapTrackQuery as MapTrackResult } from '../gql/graphql';
import { hrefOf, navigate } from '../router';
import { isOnline, useFleet, useSession } from '../session-context';
import { formatCoordinate, formatDateTime, formatRelative } from '../ui/format';
import { useNow } from '../ui/use-now';
import { GeoMap } from './geo-map';
import type { MapMarker } from './map-content';
import { latestDataRange } from './latest-range';
import type { GeoBounds } from './projection';

const TRACK_POINTS = 1000;

/** Last positions of all devices, the selected device's track, and drawing an area for the signals filter. */
export function MapView({ selectedDeviceId }: { selectedDeviceId: string | undefined }) {
  const { http, feed, config, signalFilter, setSignalFilter } = useSession();
  const fleet = useFleet();
  const now = useNow(5000);
  const [track, setTrack] = useState<MapTrackResult['track']>([]);
  const [trackError, setTrackError] = useState<string | null>(null);
  const [trackVersion, setTrackVersion] = useState(0);
  const [drawing, setDrawing] = useState(false);

  const markers: MapMarker[] = useMemo(() => {
    const list: MapMarker[] = [];
    for (const device of fleet.devices.values()) {
      if (!device.lastPosition) continue;
      list.push({
        id: device.id,
        label: device.id,
        lat: device.lastPosition.lat,
        lon: device.lastPosition.lon,
        online: isOnline(device, now, config.onlineWindowSeconds),
      });
    }
    return list.sort((a, b) => a.id.localeCompare(b.id));
  }, [fleet.devices, now, config.onlineWindowSeconds]);

  useEffect(() => {
    if (!selectedDeviceId) return undefined;
    return feed.onSignal((signal) => {
      if (signal.deviceId === selectedDeviceId) setTrackVersion((version) => version + 1);
    });
  }, [feed, selectedDeviceId]);

  useEffect(() => {
    setTrackError(null);
    if (!selectedDeviceId) {
      setTrack([]);
      return undefined;
    }
    const abort = new AbortController();
    void (async () => {
      try {
        const range = await latestDataRange(http, selectedDeviceId, undefined, abort.signal);
        if (!range) {
          setTrack([]);
          return;
        }
        const result = await http.request(
          MapTrackQuery,
          { deviceId: selectedDeviceId, ...range, maxPoints: TRACK_POINTS },
          abort.signal,
        );
        setTrack(result.track);
      } catch (error) {
        if (!abort.signal.aborted) setTrackError(describeError(error));
      }
    })();
    return () => abort.abort();
  }, [http, selectedDeviceId, trackVersion]);

  const selected = selectedDeviceId ? fleet.devices.get(selectedDeviceId) : undefined;

  function onAreaDrawn(bounds: GeoBounds): void {
    setSignalFilter({ ...signalFilter, bbox: bounds });
    setDrawing(false);
  }

  return (
    <section class="map-view" aria-labelledby="map-heading">
      <div class="view-heading">
        <h1 id="map-heading">Map</h1>
        <div class="toolbar">
          <button type="button" aria-pressed={drawing} onClick={() => setDrawing(!drawing)}>
            {drawing ? 'Cancel drawing' : 'Draw signals area'}
          </button>
          {signalFilter.bbox && (
            <>
              <a class="button-link" href={hrefOf({ view: 'signals' })}>
                Signals in area
              </a>
              <button
                type="button"
                class="secondary"
                onClick={() => setSignalFilter({ ...signalFilter, bbox: undefined })}
              >
                Clear area
              </button>
            </>
          )}
        </div>
      </div>
      {drawing && (
        <p class="hint" role="status">
          Drag on the map to draw the area signals are filtered by.
        </p>
      )}
      <div class="map-layout">
        <GeoMap
          title={selectedDeviceId ? `Map of the fleet with the track of ${selectedDeviceId}` : 'Map of the fleet'}
          markers={markers}
          selectedId={selectedDeviceId}
          track={track}
          area={signalFilter.bbox}
          onSelect={(id) => navigate({ view: 'map', deviceId: id })}
          onAreaDrawn={drawing ? onAreaDrawn : undefined}
          tileUrl={config.tileUrl}
          tileAttribution={config.tileAttribution}
        />
        <aside class="map-side" aria-label="Devices on the map">
          {selected ? (
            <div class="card">
              <h2>{selected.id}</h2>
              <dl>
                <dt>Status</dt>
                <dd>{isOnline(selected, now, config.onlineWindowSeconds) ? 'Online' : 'Offline'}</dd>
                <dt>Last seen</dt>
                <dd title={formatDateTime(selected.lastSeen)}>{formatRelative(selected.lastSeen, now)}</dd>
                {selected.lastPosition && (
                  <>
                    <dt>Position</dt>
                    <dd>
                      {formatCoordinate(selected.lastPosition.lat)}, {formatCoordinate(selected.lastPosition.lon)}
                    </dd>
                  </>
                )}
                <dt>Track</dt>
                <dd>{track.length > 0 ? `${track.length} points, last day of data` : 'none'}</dd>
              </dl>
              {trackError && (
                <p class="error" role="alert">
                  {trackError}
                </p>
              )}
              <a href={hrefOf({ view: 'device', deviceId: selected.id })}>Device details</a>
            </div>
          ) : (
            <p class="hint">Select a device to see its track.</p>
          )}
          <ul class="device-pick">
            {markers.map((marker) => (
              <li key={marker.id}>
                <a
                  href={hrefOf({ view: 'map', deviceId: marker.id })}
                  aria-current={marker.id === selectedDeviceId ? 'true' : undefined}
                >
                  <span class={`status-dot ${marker.online ? 'online' : 'offline'}`} aria-hidden="true" />
                  {marker.label}
                </a>
              </li>
            ))}
          </ul>
          {markers.length === 0 && !fleet.loading && <p class="hint">No device has reported a position yet.</p>}
        </aside>
      </div>
    </section>
  );
}
