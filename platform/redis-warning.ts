import { logger } from "./logging";

/*
 * An unreachable Redis is not fatal (pub/sub, rate limits and the response cache each cover for it), but the
 * operator must hear of it once, not once per component that uses it: one warning per process and outage.
 */

const log = logger("redis");
const down = new Set<string>();

/** Reports Redis at `where` (host:port of REDIS_URL) unreachable, once until redisBack. */
export function redisUnreachable(where: string, reason: string): void {
  if (down.has(where)) return;
  down.add(where);
  log.warn(
    { redis: where, reason },
    `REDIS_URL: no Redis answers at ${where}; running without it (rate limits counted per gateway, response caches not shared, alerts polled from the table) and retrying`,
  );
}

/** Reports Redis at `where` reachable again, if it was reported down. */
export function redisBack(where: string): void {
  if (down.delete(where)) log.info({ redis: where }, "Redis is back");
}
