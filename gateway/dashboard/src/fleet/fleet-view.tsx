import { useMemo, useState } from 'preact/hooks';
import { hrefOf } from '../router';
import { isOnline, useFleet, useSession } from '../session-context';
import { formatCoordinate, formatDateTime, formatDistance, formatRelative, formatSpeed } from '../ui/format';
import { useNow } from '../ui/use-now';
import { nextSort, sortFleet } from './fleet-sort';
import type { FleetSort, FleetSortKey } from './fleet-sort';
import { MAX_FLEET_DEVICES } from './fleet-store';

const COLUMNS: Array<{ key: FleetSortKey; label: string; numeric?: boolean }> = [
  { key: 'id', label: 'Device' },
  { key: 'online', label: 'Status' },
  { key: 'lastSeen', label: 'Last seen' },
  { key: 'signalCount', label: 'Signals', numeric: true },
  { key: 'totalDistanceMeters', label: 'Total distance', numeric: true },
  { key: 'maxSpeed', label: 'Max speed', numeric: true },
];

/** Every device with its status and lifetime figures, sortable, updating live. */
export function FleetView() {
  const fleet = useFleet();
  const { config } = useSession();
  const now = useNow(1000);
  const [sort, setSort] = useState<FleetSort>({ key: 'lastSeen', direction: 'descending' });

  const rows = useMemo(
    () =>
      sortFleet(
        [...fleet.devices.values()].map((device) => ({
          ...device,
          online: isOnline(device, now, config.onlineWindowSeconds),
        })),
        sort,
      ),
    [fleet.devices, sort, now, config.onlineWindowSeconds],
  );
  const onlineCount = rows.filter((device) => device.online).length;

  return (
    <section aria-labelledby="fleet-heading">
      <div class="view-heading">
        <h1 id="fleet-heading">Fleet</h1>
        <p class="summary" aria-live="polite">
          {fleet.loading ? 'Loading devices…' : `${rows.length} devices, ${onlineCount} online`}
        </p>
      </div>
      {fleet.error && (
        <p class="error" role="alert">
          {fleet.error.message}
        </p>
      )}
      {fleet.truncated && <p class="hint">Showing the {MAX_FLEET_DEVICES} most recently listed devices.</p>}
      <div class="table-scroll">
        <table class="fleet-table">
          <caption class="visually-hidden">
            Devices, sorted by {COLUMNS.find((column) => column.key === sort.key)?.label}
          </caption>
          <thead>
            <tr>
              {COLUMNS.map((column) => (
                <th
                  key={column.key}
                  scope="col"
                  class={column.numeric ? 'numeric' : undefined}
                  aria-sort={sort.key === column.key ? sort.direction : 'none'}
                >
                  <button type="button" class="sort-button" onClick={() => setSort(nextSort(sort, column.key))}>
                    {column.label}
                    <span aria-hidden="true">
                      {sort.key === column.key ? (sort.direction === 'ascending' ? ' ▲' : ' ▼') : ''}
                    </span>
                  </button>
                </th>
              ))}
              <th scope="col">Last position</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((device) => (
              <tr key={device.id} data-device-id={device.id}>
                <th scope="row">
                  <a href={hrefOf({ view: 'device', deviceId: device.id })}>{device.id}</a>
                </th>
                <td>
                  <span class={`badge ${device.online ? 'online' : 'offline'}`}>
                    {device.online ? 'Online' : 'Offline'}
                  </span>
                </td>
                <td title={formatDateTime(device.lastSeen)}>
                  <time dateTime={device.lastSeen}>{formatRelative(device.lastSeen, now)}</time>
                </td>
                <td class="numeric" data-field="signalCount">
                  {device.signalCount}
                </td>
                <td class="numeric">{formatDistance(device.totalDistanceMeters)}</td>
                <td class="numeric">{formatSpeed(device.maxSpeed)}</td>
                <td>
                  {device.lastPosition ? (
                    <a href={hrefOf({ view: 'map', deviceId: device.id })} aria-label={`Show ${device.id} on the map`}>
                      {formatCoordinate(device.lastPosition.lat)}, {formatCoordinate(device.lastPosition.lon)}
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!fleet.loading && rows.length === 0 && !fleet.error && <p class="hint">No device has sent a message yet.</p>}
    </section>
  );
}
