import { useEffect, useState } from 'preact/hooks';
import { REJECTED_KEY_MESSAGE } from './api/api-error';
import { forgetApiKey, storeApiKey, storedApiKey, takeApiKeyFromLocation } from './auth/api-key-store';
import { SignIn } from './auth/sign-in';
import { loadDashboardConfig } from './dashboard-config';
import type { DashboardConfig } from './dashboard-config';
import { Session } from './session';

function initialApiKey(): string | null {
  const fromLink = takeApiKeyFromLocation();
  if (fromLink) storeApiKey(fromLink);
  return fromLink ?? storedApiKey();
}

export function App() {
  const [config, setConfig] = useState<DashboardConfig | null>(null);
  const [apiKey, setApiKey] = useState<string | null>(initialApiKey);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    void loadDashboardConfig().then(setConfig);
  }, []);

  // A sign-in link opened in a tab already showing the dashboard changes only the fragment.
  useEffect(() => {
    const onHashChange = (): void => {
      const fromLink = takeApiKeyFromLocation();
      if (!fromLink) return;
      storeApiKey(fromLink);
      setNotice(null);
      setApiKey(fromLink);
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);

  if (!config) {
    return (
      <p class="loading" role="status">
        Loading…
      </p>
    );
  }
  if (!apiKey) {
    return (
      <SignIn
        graphqlPath={config.graphqlPath}
        notice={notice}
        onSignedIn={(key) => {
          storeApiKey(key);
          setNotice(null);
          setApiKey(key);
        }}
      />
    );
  }
  return (
    <Session
      key={apiKey}
      apiKey={apiKey}
      config={config}
      onSignOut={() => {
        forgetApiKey();
        setNotice(null);
        setApiKey(null);
      }}
      onKeyRejected={() => {
        forgetApiKey();
        setNotice(REJECTED_KEY_MESSAGE);
        setApiKey(null);
      }}
    />
  );
}
