import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { GraphQLHttpClient } from './api/http-client';
import type { LiveClient, LiveStatus } from './api/live-client';
import type { DashboardConfig } from './dashboard-config';
import type { FleetSnapshot, FleetStore } from './fleet/fleet-store';
import type { SignalFeed } from './live/signal-feed';
import type { SignalFilterForm } from './signals/signal-filter';

/** What every view of a signed-in session shares. */
export interface Session {
  config: DashboardConfig;
  http: GraphQLHttpClient;
  live: LiveClient;
  feed: SignalFeed;
  fleet: FleetStore;
  /** The Signals view's filter, kept here so an area drawn on the map reaches it. */
  signalFilter: SignalFilterForm;
  setSignalFilter(form: SignalFilterForm): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in session');
  return session;
}

export function useFleet(): FleetSnapshot {
  const { fleet } = useSession();
  const [snapshot, setSnapshot] = useState(() => fleet.current());
  useEffect(() => {
    setSnapshot(fleet.current());
    return fleet.subscribe(setSnapshot);
  }, [fleet]);
  return snapshot;
}

export function useLiveStatus(): LiveStatus {
  const { live } = useSession();
  const [status, setStatus] = useState(() => live.status());
  useEffect(() => {
    setStatus(live.status());
    return live.onStatus(setStatus);
  }, [live]);
  return status;
}

/** Whether a device counts as online now: by the gateway's window when known, else as last loaded. */
export function isOnline(
  device: { online: boolean; lastSeen: string },
  nowMs: number,
  windowSeconds: number | undefined,
): boolean {
  if (windowSeconds === undefined) return device.online;
  return nowMs - Date.parse(device.lastSeen) <= windowSeconds * 1000;
}
