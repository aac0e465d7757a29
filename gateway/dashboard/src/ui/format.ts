const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
});

/** "5 s ago", "3 min ago", "2 days ago" relative to `nowMs`. */
export function formatRelative(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return '—';
  const deltaSeconds = Math.round((Date.parse(iso) - nowMs) / 1000);
  const abs = Math.abs(deltaSeconds);
  if (abs < 5) return 'just now';
  if (abs < 60) return RELATIVE.format(deltaSeconds, 'second');
  if (abs < 3600) return RELATIVE.format(Math.round(deltaSeconds / 60), 'minute');
  if (abs < 86_400) return RELATIVE.format(Math.round(deltaSeconds / 3600), 'hour');
  return RELATIVE.format(Math.round(deltaSeconds / 86_400), 'day');
}

/** An absolute UTC time, e.g. "01 Jan 2025, 22:18:00 UTC". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return DATE_TIME.format(new Date(iso));
}

export function formatDistance(meters: number): string {
  if (meters < 1000) return `${meters.toFixed(0)} m`;
  return `${(meters / 1000).toFixed(meters < 100_000 ? 2 : 0)} km`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatSpeed(speed: number): string {
  return speed.toFixed(2);
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatCoordinate(value: number): string {
  return value.toFixed(5);
}

/** `datetime-local` input value (UTC, to the second, as the inputs step) of an ISO time. */
export function toDateTimeInput(iso: string | undefined): string {
  return iso ? iso.slice(0, 19) : '';
}

/** ISO time of a `datetime-local` input value read as UTC, or undefined when empty or invalid. */
export function fromDateTimeInput(value: string): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value.length === 16 ? `${value}:00Z` : `${value}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
