import type { LiveStatus } from '../api/live-client';
import { useLiveStatus, useSession } from '../session-context';

const LABELS: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  rejected: 'Key rejected',
};

/** Live / reconnecting / offline, announced to screen readers when it changes. */
export function ConnectionIndicator() {
  const status = useLiveStatus();
  const { live } = useSession();
  return (
    <div class={`connection connection-${status}`} role="status" aria-live="polite" data-status={status}>
      <span class="connection-dot" aria-hidden="true" />
      <span>{LABELS[status]}</span>
      {status === 'offline' && (
        <button type="button" class="link-button" onClick={() => live.reconnectNow()}>
          Retry now
        </button>
      )}
    </div>
  );
}
