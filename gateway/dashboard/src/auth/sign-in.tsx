import { useRef, useState } from 'preact/hooks';
import { describeError } from '../api/api-error';
import { createHttpClient } from '../api/http-client';
import { SignInProbeQuery } from '../api/operations';

interface SignInProps {
  graphqlPath: string;
  /** Why the previous key was dropped, shown above the form. */
  notice: string | null;
  onSignedIn(apiKey: string): void;
}

/** Asks for an API key and checks it with one small query before opening the dashboard. */
export function SignIn({ graphqlPath, notice, onSignedIn }: SignInProps) {
  const [apiKey, setApiKey] = useState('');
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(notice);
  const inputRef = useRef<HTMLInputElement>(null);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    const key = apiKey.trim();
    if (!key) {
      setError('Paste an API key first.');
      inputRef.current?.focus();
      return;
    }
    setChecking(true);
    setError(null);
    try {
      await createHttpClient({ endpoint: graphqlPath, apiKey: key }).request(SignInProbeQuery, {});
      onSignedIn(key);
    } catch (failure) {
      setError(describeError(failure));
      setChecking(false);
      inputRef.current?.select();
    }
  }

  return (
    <main class="sign-in">
      <h1>XRayIOT fleet</h1>
      <form onSubmit={(event) => void submit(event)} aria-describedby="sign-in-help">
        <label for="api-key">API key</label>
        <input
          ref={inputRef}
          id="api-key"
          name="apiKey"
          type="password"
          autoComplete="off"
          spellcheck={false}
          autoFocus
          value={apiKey}
          onInput={(event) => setApiKey(event.currentTarget.value)}
          aria-invalid={error ? true : undefined}
          aria-errormessage={error ? 'sign-in-error' : undefined}
        />
        <p id="sign-in-help" class="hint">
          The key is kept in this browser tab only and forgotten when the tab closes.
        </p>
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
