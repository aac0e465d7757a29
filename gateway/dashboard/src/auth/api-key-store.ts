const STORAGE_KEY = 'xrayiot.apiKey';
/** `#apiKey=...`: a link that signs in (the fragment never reaches the server or its logs). */
const FRAGMENT_PREFIX = '#apiKey=';

/** The key of this browser tab's session, if one was entered. */
export function storedApiKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function storeApiKey(apiKey: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, apiKey);
  } catch {
    // Storage refused (private mode): the key lives until the page is reloaded.
  }
}

export function forgetApiKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing was stored.
  }
}

/** Takes a key handed over in the URL fragment and removes it from the address bar. */
export function takeApiKeyFromLocation(): string | null {
  if (!window.location.hash.startsWith(FRAGMENT_PREFIX)) return null;
  const encoded = window.location.hash.slice(FRAGMENT_PREFIX.length);
  // Out of the address bar (and history) first, whatever the fragment holds.
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/fleet`);
  let apiKey: string;
  try {
    apiKey = decodeURIComponent(encoded).trim();
  } catch {
    // A malformed escape: the sign-in form asks for the key instead of a blank page.
    return null;
  }
  return apiKey || null;
}
