/**
 * Run-time settings the gateway serves at `/dashboard-config.json`, so one build runs anywhere.
 * Every field is optional; a missing or unreadable file means the defaults.
 */
export interface DashboardConfig {
  /** GraphQL endpoint for HTTP and graphql-ws (same origin); default `/graphql`. */
  graphqlPath: string;
  /** `{z}/{x}/{y}` raster tile URL template (`DASHBOARD_TILE_URL`); none: the map draws without tiles. */
  tileUrl: string | undefined;
  /** Attribution the tile provider asks to show under the map. */
  tileAttribution: string | undefined;
  /** Seconds after its last message a device still counts as online (the gateway's window). */
  onlineWindowSeconds: number | undefined;
}

export const DEFAULT_DASHBOARD_CONFIG: DashboardConfig = {
  graphqlPath: '/graphql',
  tileUrl: undefined,
  tileAttribution: undefined,
  onlineWindowSeconds: undefined,
};

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Reads the served settings, keeping the defaults for anything missing or malformed. */
export function parseDashboardConfig(raw: unknown): DashboardConfig {
  if (typeof raw !== 'object' || raw === null) return DEFAULT_DASHBOARD_CONFIG;
  const record = raw as Record<string, unknown>;
  const tileUrl = stringOf(record['tileUrl']);
  const window = record['onlineWindowSeconds'];
  const graphqlPath = stringOf(record['graphqlPath']);
  return {
    graphqlPath: graphqlPath?.startsWith('/') ? graphqlPath : DEFAULT_DASHBOARD_CONFIG.graphqlPath,
    tileUrl: tileUrl && /^https?:\/\//.test(tileUrl) && tileUrl.includes('{z}') ? tileUrl : undefined,
    tileAttribution: stringOf(record['tileAttribution']),
    onlineWindowSeconds: typeof window === 'number' && window > 0 ? window : undefined,
  };
}

export async function loadDashboardConfig(): Promise<DashboardConfig> {
  try {
    const response = await fetch('/dashboard-config.json', { headers: { accept: 'application/json' } });
    if (!response.ok) return DEFAULT_DASHBOARD_CONFIG;
    return parseDashboardConfig(await response.json());
  } catch {
    return DEFAULT_DASHBOARD_CONFIG;
  }
}
