import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  envHost,
  envInteger,
  envTimerMs,
  envLogLevel,
  envNamespace,
  envPort,
  envSecret,
  envUrl,
  parseEnv,
} from '../schema';

/** Where the dashboard's built assets are looked for when `GATEWAY_DASHBOARD_DIR` is not set. */
function defaultDashboardDir(): string {
  const candidates = [
    path.resolve(__dirname, 'dashboard', 'dist'),
    path.resolve(__dirname, '..', '..', 'gateway', 'dashboard', 'dist'),
  ];
  return candidates.find((candidate) => existsSync(candidate)) ?? (candidates[0] as string);
}

const envSchema = z.object({
  /** HTTP and websocket port. Default 3000; 0 picks a free one (tests). */
  GATEWAY_PORT: envPort(3000),
  /** Interface to listen on. Default `0.0.0.0`. */
  GATEWAY_HOST: envHost(),
  /** MongoDB (or FerretDB) URL including the database name. Required. */
  MONGO_URL: envUrl(['mongodb:', 'mongodb+srv:']),
  /** Redis URL: rate limits and live events. Required. */
  REDIS_URL: envUrl(['redis:', 'rediss:']),
  /** RabbitMQ URL: mutations are sent to the processor as commands. Required. */
  AMQP_URL: envUrl(['amqp:', 'amqps:']),
  /** Raw API key seeded as ADMIN at start (idempotent). Default: none (create keys with the CLI). */
  GATEWAY_ADMIN_API_KEY: envSecret(16, 256).optional(),
  /** Prefix of Redis keys and channels. Default `xray`. */
  XRAY_NAMESPACE: envNamespace(),
  /** Requests (HTTP operations and websocket subscribes) per API key per window. Default 600. */
  GATEWAY_RATE_LIMIT_POINTS: envInteger(600, 1),
  /** Rate-limit window, seconds. Default 60. */
  GATEWAY_RATE_LIMIT_WINDOW_SEC: envInteger(60, 1),
  /** Refused API keys per client address per minute before its lookups wait (HTTP 429); 0 turns the limit off. Default 60. */
  GATEWAY_AUTH_FAILURES_PER_MINUTE: envInteger(60, 0),
  /** A device is `online` when its last message arrived within this many seconds. Default 600. */
  GATEWAY_ONLINE_WINDOW_SEC: envInteger(600, 1),
  /** Comma-separated origins allowed by CORS (e.g. `https://dash.example.com`). Default: none (same origin only). */
  GATEWAY_CORS_ORIGINS: z.string().default(''),
  /** Largest `first` of a connection; above it the query fails with BAD_USER_INPUT. Default 200. */
  GATEWAY_MAX_PAGE_SIZE: envInteger(200, 1, 10_000),
  /** Deepest field nesting of an operation. Default 12. */
  GATEWAY_MAX_DEPTH: envInteger(12, 1),
  /** Highest estimated operation cost. Default 10000. */
  GATEWAY_MAX_COMPLEXITY: envInteger(10_000, 1),
  /** Most aliases in one document. Default 50. */
  GATEWAY_MAX_ALIASES: envInteger(50, 1),
  /** Most lexical tokens in one document. Default 5000. */
  GATEWAY_MAX_TOKENS: envInteger(5_000, 1),
  /** Largest HTTP request body, bytes. Default 2 MiB (a 10,000-sample createSignal fits). */
  GATEWAY_BODY_LIMIT_BYTES: envInteger(2 * 1024 * 1024, 1),
  /** Longest wait to find the database (server selection), ms; past it the operation answers DEPENDENCY_UNAVAILABLE. Default 5000. */
  GATEWAY_DB_TIMEOUT_MS: envTimerMs(5_000, 100),
  /** How long a mutation waits for the processor's answer, ms. Default 10000. */
  GATEWAY_COMMAND_TIMEOUT_MS: envTimerMs(10_000, 1),
  /** How long an API-key lookup is cached, ms (bounds how late another replica sees a revocation). Default 5000. */
  GATEWAY_API_KEY_CACHE_TTL_MS: envTimerMs(5_000, 0),
  /** Most subscriptions on one websocket connection. Default 100. */
  GATEWAY_WS_MAX_SUBSCRIPTIONS: envInteger(100, 1),
  /** Largest websocket message, bytes. Default 65536. */
  GATEWAY_WS_MAX_MESSAGE_BYTES: envInteger(64 * 1024, 1),
  /** Websocket ping interval, ms. Default 12000. */
  GATEWAY_WS_KEEPALIVE_MS: envTimerMs(12_000, 1),
  /** Events buffered per subscription for a slow client; past it the subscription re-reads the rest from the database at the client's pace (positions coalesce per device). Default 256. */
  GATEWAY_WS_BUFFER_SIZE: envInteger(256, 1),
  /** Folder of the dashboard's built assets, served at `/` when it exists. Default `gateway/dashboard/dist`. */
  GATEWAY_DASHBOARD_DIR: z.string().min(1, 'must be a folder path, got an empty value').optional(),
  /** Map tile URL template for the dashboard (e.g. `https://tiles.example.com/{z}/{x}/{y}.png`); its origin is allowed by CSP. Default: none. */
  DASHBOARD_TILE_URL: envUrl(['http:', 'https:']).optional(),
  /** Attribution text the tile provider requires, shown in the dashboard map's corner. Default: none. */
  DASHBOARD_TILE_ATTRIBUTION: z
    .string()
    .max(500, { error: (issue) => `must be at most 500 characters long, got ${String(issue.input).length} characters` })
    .optional(),
  /** pino level. Default `info`. */
  LOG_LEVEL: envLogLevel(),
});

/** Websocket limits handed to the live server. */
export interface GatewayWebSocketLimits {
  /** `GATEWAY_WS_MAX_SUBSCRIPTIONS`: operations running at once on one connection (default 100). */
  maxSubscriptionsPerConnection: number;
  /** `GATEWAY_WS_MAX_MESSAGE_BYTES`: largest websocket message (default 65,536). */
  maxMessageBytes: number;
  /** `GATEWAY_WS_KEEPALIVE_MS`: ping interval (default 12,000). */
  keepAliveMs: number;
  /** `GATEWAY_WS_BUFFER_SIZE`: events buffered per subscription for a slow client (default 256). */
  bufferSizePerSubscription: number;
}

/**
 * The gateway's whole configuration, parsed once at start. Each field names the variable it comes
 * from; its default and meaning are documented on the variable above.
 */
export interface GatewayConfig {
  /** `GATEWAY_PORT` (default 3000; 0 picks a free one). */
  port: number;
  /** `GATEWAY_HOST` (default `0.0.0.0`). */
  host: string;
  /** `MONGO_URL`, with the database name (required). */
  mongoUrl: string;
  /** `REDIS_URL`: rate limits and live events (required). */
  redisUrl: string;
  /** `AMQP_URL`: mutations go to the processor as commands (required). */
  amqpUrl: string;
  /** `GATEWAY_ADMIN_API_KEY`: seeded as ADMIN at start (optional). */
  adminApiKey: string | undefined;
  /** `XRAY_NAMESPACE`: prefix of Redis keys and channels (default `xray`). */
  namespace: string;
  /** `GATEWAY_RATE_LIMIT_POINTS` per `GATEWAY_RATE_LIMIT_WINDOW_SEC` and API key (default 600 per 60 s). */
  rateLimit: { points: number; windowSec: number };
  /** `GATEWAY_AUTH_FAILURES_PER_MINUTE`: refused API keys per client address per minute; 0: unlimited (default 60). */
  authFailuresPerMinute: number;
  /** `GATEWAY_ONLINE_WINDOW_SEC` in ms: a device is online when its last message is this recent (default 600 s). */
  onlineWindowMs: number;
  /** `GATEWAY_CORS_ORIGINS`, split (default: none, same origin only). */
  corsOrigins: string[];
  /** `GATEWAY_MAX_PAGE_SIZE`: largest `first`/`last` (default 200). */
  maxPageSize: number;
  /** `GATEWAY_MAX_DEPTH`, `GATEWAY_MAX_COMPLEXITY`, `GATEWAY_MAX_ALIASES`, `GATEWAY_MAX_TOKENS`. */
  cost: { maxDepth: number; maxComplexity: number; maxAliases: number; maxTokens: number };
  /** `GATEWAY_BODY_LIMIT_BYTES`: largest HTTP request body (default 2 MiB). */
  bodyLimitBytes: number;
  /** `GATEWAY_DB_TIMEOUT_MS`: longest wait to find the database (default 5,000). */
  dbTimeoutMs: number;
  /** `GATEWAY_COMMAND_TIMEOUT_MS`: how long a mutation waits for the processor (default 10,000). */
  commandTimeoutMs: number;
  /** `GATEWAY_API_KEY_CACHE_TTL_MS`: how long a key lookup is reused (default 5,000; 0: not cached). */
  apiKeyCacheTtlMs: number;
  /** The `GATEWAY_WS_*` limits. */
  ws: GatewayWebSocketLimits;
  /** `GATEWAY_DASHBOARD_DIR` (default `gateway/dashboard/dist`). */
  dashboardDir: string;
  /** `DASHBOARD_TILE_URL`: map tile template for the dashboard (optional). */
  dashboardTileUrl: string | undefined;
  /** `DASHBOARD_TILE_ATTRIBUTION` (optional). */
  dashboardTileAttribution: string | undefined;
  /** `LOG_LEVEL` (default `info`). */
  logLevel: string;
}

/** Parses the gateway's environment; throws a one-line error naming the first bad variable. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const e = parseEnv(envSchema, env, 'gateway');
  return {
    port: e.GATEWAY_PORT,
    host: e.GATEWAY_HOST,
    mongoUrl: e.MONGO_URL,
    redisUrl: e.REDIS_URL,
    amqpUrl: e.AMQP_URL,
    adminApiKey: e.GATEWAY_ADMIN_API_KEY,
    namespace: e.XRAY_NAMESPACE,
    rateLimit: { points: e.GATEWAY_RATE_LIMIT_POINTS, windowSec: e.GATEWAY_RATE_LIMIT_WINDOW_SEC },
    authFailuresPerMinute: e.GATEWAY_AUTH_FAILURES_PER_MINUTE,
    onlineWindowMs: e.GATEWAY_ONLINE_WINDOW_SEC * 1000,
    corsOrigins: e.GATEWAY_CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter((o) => o.length > 0),
    maxPageSize: e.GATEWAY_MAX_PAGE_SIZE,
    cost: {
      maxDepth: e.GATEWAY_MAX_DEPTH,
      maxComplexity: e.GATEWAY_MAX_COMPLEXITY,
      maxAliases: e.GATEWAY_MAX_ALIASES,
      maxTokens: e.GATEWAY_MAX_TOKENS,
    },
    bodyLimitBytes: e.GATEWAY_BODY_LIMIT_BYTES,
    dbTimeoutMs: e.GATEWAY_DB_TIMEOUT_MS,
    commandTimeoutMs: e.GATEWAY_COMMAND_TIMEOUT_MS,
    apiKeyCacheTtlMs: e.GATEWAY_API_KEY_CACHE_TTL_MS,
    ws: {
      maxSubscriptionsPerConnection: e.GATEWAY_WS_MAX_SUBSCRIPTIONS,
      maxMessageBytes: e.GATEWAY_WS_MAX_MESSAGE_BYTES,
      keepAliveMs: e.GATEWAY_WS_KEEPALIVE_MS,
      bufferSizePerSubscription: e.GATEWAY_WS_BUFFER_SIZE,
    },
    dashboardDir: e.GATEWAY_DASHBOARD_DIR ?? defaultDashboardDir(),
    dashboardTileUrl: e.DASHBOARD_TILE_URL,
    dashboardTileAttribution: e.DASHBOARD_TILE_ATTRIBUTION,
    logLevel: e.LOG_LEVEL,
  };
}

/** What the API-key CLI needs: the database only. */
export function loadApiKeyCliConfig(env: NodeJS.ProcessEnv = process.env): { mongoUrl: string } {
  const e = parseEnv(z.object({ MONGO_URL: envSchema.shape.MONGO_URL }), env, 'API-key CLI');
  return { mongoUrl: e.MONGO_URL };
}
