import path from "node:path";

/** The six subgraphs, in port order (organizations on 4001 ... incidents on 4005, identity on 4006). */
export const SUBGRAPH_NAMES = ["organizations", "elections", "events", "declarations", "incidents", "identity"] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** A configuration value that cannot be used; the message names the variable and the rule. */
export class ConfigError extends Error {
  constructor(variable: string, rule: string, value: string) {
    super(`${variable}: ${rule} (got "${value}")`);
    this.name = "ConfigError";
  }
}

/** Everything the hub reads from the environment, validated once at start. */
export interface HubConfig {
  /** `mysql://user:pass@host:3306`: one database per subgraph on that server. Unset: SQLite files in `dataDir`. */
  databaseUrl?: URL;
  /** Where the embedded default keeps its SQLite files and generated secrets. Default `./data`. */
  dataDir: string;
  /** `redis://host:6379`: pub/sub across replicas. Unset: in memory. */
  redisUrl?: URL;
  /** Gateway port. Default 4000. */
  port: number;
  /** Interface to listen on. Default 0.0.0.0 for the gateway; subgraphs of the embedded default use 127.0.0.1. */
  host: string;
  /** HS256 secret for bearer tokens (32 characters or more). The embedded default generates one. */
  jwtSecret?: string;
  /** JWKS endpoint of an external identity provider (RS256/ES256). */
  jwksUrl?: URL;
  /** Required `iss` of tokens from the JWKS identity provider, when set. */
  jwtIssuer?: string;
  /** Required `aud` of tokens from the JWKS identity provider, when set. */
  jwtAudience?: string;
  /** Mutations a caller (token subject, else client address) may send per minute; 0 turns the limit off. */
  rateLimitMutations: number;
  /** KAWAL_WS_ALLOWED_ORIGINS: browser origins allowed to open subscription sockets, comma-separated. Unset: any. */
  wsAllowedOrigins?: string[];
  /** KAWAL_WS_MAX_CONNECTIONS_PER_CALLER: open subscription sockets per caller. Default 20. */
  wsMaxConnectionsPerCaller: number;
  /** KAWAL_WS_MAX_SUBSCRIPTIONS_PER_CALLER: open subscriptions per caller over all its sockets. Default 50. */
  wsMaxSubscriptionsPerCaller: number;
  /**
   * KAWAL_RESPONSE_CACHE_SECONDS: how long the gateway may answer a repeated query from its response cache.
   * A mutation through this gateway (or, with REDIS_URL, through any gateway) drops every cached answer
   * that read the subgraph it wrote to, so the limit only bounds staleness from time-dependent fields and
   * from gateways that share no Redis. 0 turns the cache off. Default 5.
   */
  responseCacheSeconds: number;
  /**
   * KAWAL_ACCESS_TOKEN_SECONDS: how long an access token signed at sign-in or refresh stays valid. A disabled
   * account's open subscription sockets end at its expiry at the latest. Default 900 (15 minutes).
   */
  accessTokenSeconds: number;
  /** Shared secret every gateway-to-subgraph request carries (32 characters or more). */
  subgraphSecret?: string;
  /**
   * KAWAL_DRAIN_SECONDS: how long a process told to stop (SIGTERM, SIGINT) lets the requests in flight
   * finish, answering new ones with 503, before it exits anyway. Default 8, under Docker's 10 s stop grace
   * period; 0 stops at once.
   */
  drainSeconds: number;
  /** Where the gateway finds each subgraph: `<NAME>_URL`, default http://127.0.0.1:400N/graphql. */
  subgraphUrls: Record<SubgraphName, string>;
  /** true when NODE_ENV=production. */
  production: boolean;
  /** KAWAL_SLOW_SQL_MS: an SQL statement slower than this is logged (statement and time, no parameters); 0 logs none. Default 200. */
  slowSqlMs: number;
  /** METRICS_TOKEN: when set, /metrics answers only `Authorization: Bearer <token>`. Unset: /metrics is open. */
  metricsToken?: string;
}

type Env = Record<string, string | undefined>;

function port(env: Env, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 65535) {
    throw new ConfigError(variable, "must be a whole number from 1 to 65535", raw);
  }
  return value;
}

function url(env: Env, variable: string, protocols: string[]): URL | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === "") return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(variable, `must be a URL starting with ${protocols.join(" or ")}`, raw);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(variable, `must be a URL starting with ${protocols.join(" or ")}`, raw);
  }
  return parsed;
}

function secret(env: Env, variable: string): string | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === "") return undefined;
  if (raw.length < 32) throw new ConfigError(variable, "must be at least 32 characters", `${raw.length} characters`);
  return raw;
}

function wholeNumber(env: Env, variable: string, fallback: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > max) throw new ConfigError(variable, `must be a whole number from 0 to ${max}`, raw);
  return Number(raw);
}

/** A whole number from 1 to `max`: a lifetime of 0 would make every token expire as it is signed. */
function positiveNumber(env: Env, variable: string, fallback: number, max: number): number {
  const value = wholeNumber(env, variable, fallback, max);
  if (value === 0) throw new ConfigError(variable, `must be a whole number from 1 to ${max}`, "0");
  return value;
}

/** A claim value to match exactly: no surrounding blanks (a copy-paste slip that would refuse every token). */
function claimValue(env: Env, variable: string): string | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === "") return undefined;
  if (raw.trim() !== raw) throw new ConfigError(variable, "must not start or end with blanks", raw);
  return raw;
}

/** Default port of a subgraph: 4001 to 4006 in SUBGRAPH_NAMES order. */
export function defaultSubgraphPort(name: SubgraphName): number {
  return 4001 + SUBGRAPH_NAMES.indexOf(name);
}

/** A comma-separated list of origins such as https://bawaslu.example.id (scheme, host, optional port). */
function origins(env: Env, variable: string): string[] | undefined {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === "") return undefined;
  return raw.split(",").map((item) => {
    const origin = item.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !["http:", "https:"].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError(variable, "must list origins such as https://app.example.id, separated by commas", origin);
    }
    return origin;
  });
}

/** Reads and validates the environment; throws ConfigError with one clear line on a bad value. */
export function loadConfig(env: Env = process.env): HubConfig {
  const subgraphUrls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) {
    const variable = `${name.toUpperCase()}_URL`;
    subgraphUrls[name] =
      url(env, variable, ["http:", "https:"])?.toString() ?? `http://127.0.0.1:${defaultSubgraphPort(name)}/graphql`;
  }
  return {
    databaseUrl: url(env, "DATABASE_URL", ["mysql:", "mariadb:"]),
    dataDir: path.resolve(env.KAWAL_DATA_DIR || "data"),
    redisUrl: url(env, "REDIS_URL", ["redis:", "rediss:"]),
    port: port(env, "PORT", 4000),
    host: env.HOST || "0.0.0.0",
    jwtSecret: secret(env, "KAWAL_JWT_SECRET"),
    jwksUrl: url(env, "KAWAL_JWKS_URL", ["http:", "https:"]),
    jwtIssuer: claimValue(env, "KAWAL_JWT_ISSUER"),
    jwtAudience: claimValue(env, "KAWAL_JWT_AUDIENCE"),
    rateLimitMutations: wholeNumber(env, "KAWAL_RATE_LIMIT_MUTATIONS", 120, 1_000_000),
    wsAllowedOrigins: origins(env, "KAWAL_WS_ALLOWED_ORIGINS"),
    wsMaxConnectionsPerCaller: wholeNumber(env, "KAWAL_WS_MAX_CONNECTIONS_PER_CALLER", 20, 1_000_000),
    wsMaxSubscriptionsPerCaller: wholeNumber(env, "KAWAL_WS_MAX_SUBSCRIPTIONS_PER_CALLER", 50, 1_000_000),
    responseCacheSeconds: wholeNumber(env, "KAWAL_RESPONSE_CACHE_SECONDS", 5, 3600),
    accessTokenSeconds: positiveNumber(env, "KAWAL_ACCESS_TOKEN_SECONDS", 900, 86_400),
    subgraphSecret: secret(env, "KAWAL_SUBGRAPH_SECRET"),
    drainSeconds: wholeNumber(env, "KAWAL_DRAIN_SECONDS", 8, 300),
    subgraphUrls,
    production: env.NODE_ENV === "production",
    slowSqlMs: wholeNumber(env, "KAWAL_SLOW_SQL_MS", 200, 600_000),
    metricsToken: env.METRICS_TOKEN || undefined,
  };
}
