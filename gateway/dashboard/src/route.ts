/** The views, addressed by the URL fragment so links and the back button work without server routes. */
export type Route =
  { view: 'fleet' } | { view: 'map'; deviceId?: string } | { view: 'signals' } | { view: 'device'; deviceId: string };

export function parseRoute(hash: string): Route {
  const [view, rawId] = hash.replace(/^#\/?/, '').split('/');
  const deviceId = rawId ? decodedOrUndefined(rawId) : undefined;
  switch (view) {
    case 'map':
      return deviceId ? { view: 'map', deviceId } : { view: 'map' };
    case 'signals':
      return { view: 'signals' };
    case 'device':
      return deviceId ? { view: 'device', deviceId } : { view: 'fleet' };
    default:
      return { view: 'fleet' };
  }
}

/** A malformed escape in a hand-edited address gives no device rather than a blank page. */
function decodedOrUndefined(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export function hrefOf(route: Route): string {
  switch (route.view) {
    case 'fleet':
    case 'signals':
      return `#/${route.view}`;
    case 'map':
      return route.deviceId ? `#/map/${encodeURIComponent(route.deviceId)}` : '#/map';
    case 'device':
      return `#/device/${encodeURIComponent(route.deviceId)}`;
  }
}
