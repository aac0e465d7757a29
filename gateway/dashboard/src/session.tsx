import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createHttpClient } from './api/http-client';
import { createLiveClient, sameOriginWebSocketUrl } from './api/live-client';
import type { DashboardConfig } from './dashboard-config';
import { DeviceView } from './device/device-view';
import { FleetStore } from './fleet/fleet-store';
import { FleetView } from './fleet/fleet-view';
import { SignalFeed } from './live/signal-feed';
import { MapView } from './map/map-view';
import { hrefOf, useRoute } from './router';
import type { Route } from './router';
import { SessionContext } from './session-context';
import type { Session as SessionValue } from './session-context';
import { EMPTY_FILTER_FORM } from './signals/signal-filter';
import type { SignalFilterForm } from './signals/signal-filter';
import { SignalsView } from './signals/signals-view';
import { ConnectionIndicator } from './ui/connection-indicator';

interface SessionProps {
  apiKey: string;
  config: DashboardConfig;
  onSignOut(): void;
  onKeyRejected(): void;
}

const NAVIGATION: Array<{ view: Route['view']; label: string; route: Route }> = [
  { view: 'fleet', label: 'Fleet', route: { view: 'fleet' } },
  { view: 'map', label: 'Map', route: { view: 'map' } },
  { view: 'signals', label: 'Signals', route: { view: 'signals' } },
];

/** The signed-in dashboard: one HTTP client, one live connection and one signal feed for all views. */
export function Session({ apiKey, config, onSignOut, onKeyRejected }: SessionProps) {
  const [signalFilter, setSignalFilter] = useState<SignalFilterForm>(EMPTY_FILTER_FORM);
  /** Set once the session ended: a late answer of its requests must not sign the next one out. */
  const ended = useRef(false);
  const clients = useMemo(() => {
    const keyRejected = (): void => {
      if (!ended.current) onKeyRejected();
    };
    const http = createHttpClient({ endpoint: config.graphqlPath, apiKey, onKeyRejected: keyRejected });
    const live = createLiveClient({
      url: sameOriginWebSocketUrl(config.graphqlPath),
      apiKey,
      onKeyRejected: keyRejected,
    });
    const feed = new SignalFeed(live);
    const fleet = new FleetStore(http, live, feed);
    return { http, live, feed, fleet };
    // The session is remounted (keyed by the API key) rather than updated in place.
  }, []);

  useEffect(() => {
    clients.feed.start();
    clients.fleet.start();
    return () => {
      ended.current = true;
      clients.fleet.stop();
      clients.feed.stop();
      clients.live.dispose();
    };
  }, [clients]);

  const session: SessionValue = useMemo(
    () => ({ ...clients, config, signalFilter, setSignalFilter }),
    [clients, config, signalFilter],
  );
  const route = useRoute();

  return (
    <SessionContext.Provider value={session}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top-bar">
        <span class="brand">XRayIOT fleet</span>
        <nav aria-label="Views">
          <ul>
            {NAVIGATION.map((item) => (
              <li key={item.view}>
                <a href={hrefOf(item.route)} aria-current={route.view === item.view ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <ConnectionIndicator />
        <button type="button" class="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <RouteView route={route} />
      </main>
    </SessionContext.Provider>
  );
}

function RouteView({ route }: { route: Route }) {
  switch (route.view) {
    case 'fleet':
      return <FleetView />;
    case 'map':
      return <MapView selectedDeviceId={route.deviceId} />;
    case 'signals':
      return <SignalsView />;
    case 'device':
      return <DeviceView key={route.deviceId} deviceId={route.deviceId} />;
  }
}
