import path from "node:path";
import { readSigningKey, SigningKey } from "./signing-key";

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
  /**
   * KAWAL_SIGNING_KEY_FILE: a PEM file with the hub's RSA (RS256) or EC P-256 (ES256) private key. The identity
   * subgraph then signs access tokens with it instead of the HS256 secret, and the gateway verifies them with
   * its public half (enough for the gateway: the file may hold the public key alone) and serves that half at
   * /.well-known/jwks.json. Unset: access tokens are signed with jwtSecret (HS256).
   */
  signingKey?: SigningKey;
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
   * KAWAL_MERGE_SUBGRAPH_FETCHES: `on` sends identical subgraph queries in flight at the same moment
   * once (same document, variables and caller rights; gateway/fetch-merging.ts); `off` sends each. Default on.
   */
  mergeSubgraphFetches: boolean;
  /**
   * KAWAL_SUBGRAPH_BATCHING: `on` sends the reads one request makes of one subgraph at the same moment as one
   * HTTP request (an array of operations); `off` sends each alone, for subgraphs that do not accept batches
   * (ours do). Default on.
   */
  subgraphBatching: boolean;
  /**
   * KAWAL_ACCESS_TOKEN_SECONDS: how long an access token signed at sign-in or refresh stays valid. A disabled
   * account's open subscription sockets end at its expiry at the latest. Default 900 (15 minutes).
   */
  accessTokenSeconds: number;
  /**
   * KAWAL_CLIENT_SECRET_GRACE_SECONDS: after a partner app's secret is rotated, how long the previous secret
   * still works, so the app can be redeployed with the new one without a gap (rotateIntegrationSecret may
   * ask for another period). 0 to 2592000 (30 days); default 86400 (one day).
   */
  clientSecretGraceSeconds: number;
  /** Shared secret every gateway-to-subgraph request carries (32 characters or more). */
  subgraphSecret?: string;
  /**
   * KAWAL_DRAIN_SECONDS: how long a process told to stop (SIGTERM, SIGINT) lets the requests in flight
   * finish, answering new ones with 503, before it exits anyway. Default 8, under Docker's 10 s stop grace
   * period; 0 stops at once.
   */
  drainSeconds: number;
  /** Largest evidence file accepted per kind, in bytes (see EvidenceLimits). */
  evidenceLimits: EvidenceLimits;
  /** KAWAL_EVIDENCE_S3_*: where evidence files are kept in production. Unset: files under `<dataDir>/evidence/`. */
  evidenceS3?: EvidenceS3Config;
  /** Webhook deliveries: leases, retries and timeouts (KAWAL_WEBHOOK_*). */
  webhooks: WebhookConfig;
  /** Where the gateway finds each subgraph: `<NAME>_URL`, default http://127.0.0.1:400N/graphql. */
  subgraphUrls: Record<SubgraphName, string>;
  /** true when NODE_ENV=production. */
  production: boolean;
  /** KAWAL_SLOW_SQL_MS: an SQL statement slower than this is logged (statement and time, no parameters); 0 logs none. Default 200. */
  slowSqlMs: number;
  /** METRICS_TOKEN: when set, /metrics answers only `Authorization: Bearer <token>`. Unset: /metrics is open. */
  metricsToken?: string;
}

/** Largest evidence file accepted per kind, in bytes. */
export interface EvidenceLimits {
  /** KAWAL_EVIDENCE_MAX_IMAGE_BYTES: JPEG, PNG, WebP photos and screenshots, as uploaded. Default 10 MiB. */
  image: number;
  /** KAWAL_EVIDENCE_MAX_PDF_BYTES: PDF documents. Default 20 MiB. */
  pdf: number;
  /** KAWAL_EVIDENCE_MAX_VIDEO_BYTES: MP4, QuickTime and WebM videos. Default 50 MiB. */
  video: number;
}

/** An S3-compatible object store for evidence files (AWS S3, MinIO, ...). */
export interface EvidenceS3Config {
  /** KAWAL_EVIDENCE_S3_BUCKET: the bucket; it must exist. */
  bucket: string;
  /** KAWAL_EVIDENCE_S3_ENDPOINT: e.g. http://minio:9000; unset for AWS S3 itself. Path-style addressing is used with an endpoint. */
  endpoint?: URL;
  /** KAWAL_EVIDENCE_S3_REGION. Default us-east-1 (what MinIO expects unless told otherwise). */
  region: string;
  /**
   * KAWAL_EVIDENCE_S3_ACCESS_KEY_ID and KAWAL_EVIDENCE_S3_SECRET_ACCESS_KEY, both or neither. Neither: the AWS
   * SDK's own chain (AWS_ACCESS_KEY_ID, instance roles, ...).
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** How the gateways deliver webhooks. */
export interface WebhookConfig {
  /**
   * KAWAL_WEBHOOK_LEASE_SECONDS: how long a gateway's claim on a webhook lasts (renewed every third of it);
   * after a gateway dies, another takes its webhooks over within this time. Default 30.
   */
  leaseSeconds: number;
  /** KAWAL_WEBHOOK_RETRY_MS: delay before the first retry of a failed delivery; it doubles, with jitter. Default 5,000. */
  retryInitialMs: number;
  /** KAWAL_WEBHOOK_RETRY_MAX_MS: longest delay between retries. Default 3,600,000 (1 hour). */
  retryMaxMs: number;
  /**
   * KAWAL_WEBHOOK_GIVE_UP_SECONDS: a delivery failing for this long disables its webhook, with the reason
   * visible to its owner. Default 86,400 (24 hours).
   */
  giveUpSeconds: number;
  /** KAWAL_WEBHOOK_TIMEOUT_MS: longest wait for a receiver's whole answer (connecting: at most half of it). Default 10,000. */
  timeoutMs: number;
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

function onOff(env: Env, variable: string, fallback: boolean): boolean {
  const raw = env[variable];
  if (raw === undefined || raw === "") return fallback;
  if (raw === "on" || raw === "off") return raw === "on";
  throw new ConfigError(variable, "must be on or off", raw);
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

const MIB = 1024 * 1024;

function evidenceS3(env: Env): EvidenceS3Config | undefined {
  const bucket = env.KAWAL_EVIDENCE_S3_BUCKET;
  if (bucket === undefined || bucket === "") return undefined;
  const accessKeyId = env.KAWAL_EVIDENCE_S3_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.KAWAL_EVIDENCE_S3_SECRET_ACCESS_KEY || undefined;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigError("KAWAL_EVIDENCE_S3_SECRET_ACCESS_KEY", "must be set together with KAWAL_EVIDENCE_S3_ACCESS_KEY_ID, or neither", accessKeyId ? "unset" : "set");
  }
  return {
    bucket,
    endpoint: url(env, "KAWAL_EVIDENCE_S3_ENDPOINT", ["http:", "https:"]),
    region: env.KAWAL_EVIDENCE_S3_REGION || "us-east-1",
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
  };
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
    signingKey: env.KAWAL_SIGNING_KEY_FILE ? readSigningKey("KAWAL_SIGNING_KEY_FILE", env.KAWAL_SIGNING_KEY_FILE, (variable, rule, value) => new ConfigError(variable, rule, value)) : undefined,
    jwksUrl: url(env, "KAWAL_JWKS_URL", ["http:", "https:"]),
    jwtIssuer: claimValue(env, "KAWAL_JWT_ISSUER"),
    jwtAudience: claimValue(env, "KAWAL_JWT_AUDIENCE"),
    rateLimitMutations: wholeNumber(env, "KAWAL_RATE_LIMIT_MUTATIONS", 120, 1_000_000),
    wsAllowedOrigins: origins(env, "KAWAL_WS_ALLOWED_ORIGINS"),
    wsMaxConnectionsPerCaller: wholeNumber(env, "KAWAL_WS_MAX_CONNECTIONS_PER_CALLER", 20, 1_000_000),
    wsMaxSubscriptionsPerCaller: wholeNumber(env, "KAWAL_WS_MAX_SUBSCRIPTIONS_PER_CALLER", 50, 1_000_000),
    responseCacheSeconds: wholeNumber(env, "KAWAL_RESPONSE_CACHE_SECONDS", 5, 3600),
    mergeSubgraphFetches: onOff(env, "KAWAL_MERGE_SUBGRAPH_FETCHES", true),
    subgraphBatching: onOff(env, "KAWAL_SUBGRAPH_BATCHING", true),
    accessTokenSeconds: positiveNumber(env, "KAWAL_ACCESS_TOKEN_SECONDS", 900, 86_400),
    clientSecretGraceSeconds: wholeNumber(env, "KAWAL_CLIENT_SECRET_GRACE_SECONDS", 86_400, 2_592_000),
    subgraphSecret: secret(env, "KAWAL_SUBGRAPH_SECRET"),
    drainSeconds: wholeNumber(env, "KAWAL_DRAIN_SECONDS", 8, 300),
    evidenceLimits: {
      image: positiveNumber(env, "KAWAL_EVIDENCE_MAX_IMAGE_BYTES", 10 * MIB, 1024 * MIB),
      pdf: positiveNumber(env, "KAWAL_EVIDENCE_MAX_PDF_BYTES", 20 * MIB, 1024 * MIB),
      video: positiveNumber(env, "KAWAL_EVIDENCE_MAX_VIDEO_BYTES", 50 * MIB, 1024 * MIB),
    },
    evidenceS3: evidenceS3(env),
    webhooks: {
      leaseSeconds: positiveNumber(env, "KAWAL_WEBHOOK_LEASE_SECONDS", 30, 3600),
      retryInitialMs: positiveNumber(env, "KAWAL_WEBHOOK_RETRY_MS", 5000, 3_600_000),
      retryMaxMs: positiveNumber(env, "KAWAL_WEBHOOK_RETRY_MAX_MS", 3_600_000, 86_400_000),
      giveUpSeconds: positiveNumber(env, "KAWAL_WEBHOOK_GIVE_UP_SECONDS", 86_400, 30 * 86_400),
      timeoutMs: positiveNumber(env, "KAWAL_WEBHOOK_TIMEOUT_MS", 10_000, 60_000),
    },
    subgraphUrls,
    production: env.NODE_ENV === "production",
    slowSqlMs: wholeNumber(env, "KAWAL_SLOW_SQL_MS", 200, 600_000),
    metricsToken: env.METRICS_TOKEN || undefined,
  };
}
