import { hrefOf } from '../router';
import { formatBytes, formatDateTime, formatDistance, formatSpeed } from '../ui/format';

/** What every signal table row shows. */
export interface SignalSummaryRow {
  id: string;
  time: string;
  dataLength: number;
  dataVolume: number;
  stats: { distanceMeters: number };
}

/** A row of a table across devices, which also names the device, its top speed and when it was received. */
export interface FleetSignalRow extends SignalSummaryRow {
  deviceId: string;
  ingestedAt: string;
  stats: { distanceMeters: number; maxSpeed: number };
}

/**
 * The rows, and whether the table spans devices (`fleet`): one device's table leaves the device
 * columns out, as they would repeat the page's subject on every row.
 */
type SignalTableRows =
  { fleet?: false; rows: ReadonlyArray<SignalSummaryRow> } | { fleet: true; rows: ReadonlyArray<FleetSignalRow> };

type SignalTableProps = SignalTableRows & {
  /** Class of the table, what styles and the browser tests find it by. */
  tableClass: string;
  /** Read by screen readers only. */
  caption?: string;
  /** A page is loading: the rows shown are about to change. */
  busy?: boolean;
  /** Rows that arrived live since the page was loaded, highlighted. */
  isFresh?: (signalId: string) => boolean;
  openSignalId: string | null;
  /** Opens the details of a signal, or closes them with `null`. */
  onOpenSignal: (signalId: string | null) => void;
};

/** Each row with its fleet fields when the table shows them, so one row renderer serves both kinds. */
function rowsOf(props: SignalTableRows): Array<{ row: SignalSummaryRow; fleet?: FleetSignalRow }> {
  return props.fleet ? props.rows.map((row) => ({ row, fleet: row })) : props.rows.map((row) => ({ row }));
}

/** A page of signals, newest first, each with a button that toggles its details. */
export function SignalTable(props: SignalTableProps) {
  const { openSignalId, onOpenSignal } = props;
  return (
    <div class="table-scroll">
      <table class={props.tableClass} aria-busy={props.busy}>
        {props.caption && <caption class="visually-hidden">{props.caption}</caption>}
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            {props.fleet && <th scope="col">Device</th>}
            <th scope="col" class="numeric">
              Samples
            </th>
            <th scope="col" class="numeric">
              Size
            </th>
            <th scope="col" class="numeric">
              Distance
            </th>
            {props.fleet && (
              <>
                <th scope="col" class="numeric">
                  Max speed
                </th>
                <th scope="col">Received</th>
              </>
            )}
            <th scope="col">
              <span class="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rowsOf(props).map(({ row, fleet }) => (
            <tr key={row.id} data-signal-id={row.id} class={props.isFresh?.(row.id) ? 'fresh' : undefined}>
              <td>
                <time dateTime={row.time}>{formatDateTime(row.time)}</time>
              </td>
              {fleet && (
                <td>
                  <a href={hrefOf({ view: 'device', deviceId: fleet.deviceId })}>{fleet.deviceId}</a>
                </td>
              )}
              <td class="numeric">{row.dataLength}</td>
              <td class="numeric">{formatBytes(row.dataVolume)}</td>
              <td class="numeric">{formatDistance(row.stats.distanceMeters)}</td>
              {fleet && (
                <>
                  <td class="numeric">{formatSpeed(fleet.stats.maxSpeed)}</td>
                  <td>{formatDateTime(fleet.ingestedAt)}</td>
                </>
              )}
              <td>
                <button
                  type="button"
                  class="link-button"
                  aria-expanded={openSignalId === row.id}
                  onClick={() => onOpenSignal(openSignalId === row.id ? null : row.id)}
                >
                  Details<span class="visually-hidden"> of signal {row.id}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
