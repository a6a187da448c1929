import type { HubConfig, SubgraphName } from "../../platform/config";
import { MaybeCaller, subgraphHeaders } from "../../caller/claims";
import { badInput } from "../../platform/errors";
import { createHttpPool, HttpPool } from "../../platform/http-pool";
import { message } from "../../platform/i18n";

/**
 * The other subgraphs, as this one asks them during a write (with the subgraph secret, as the gateway does):
 * a keep-alive pool per peer, owned by the subgraph instance, which closes them when it stops. Where a peer
 * answers is read from the configuration at each request, since a hub tells its subgraphs their peers' URLs
 * only once all of them listen: a pool is opened at the first request to a peer, and again if it moved.
 */
export interface SubgraphPeers {
  /**
   * One request to `owner`, bounded in time, failing with a message that names the subgraph and the purpose;
   * resolves with the answer's `data`. Sent as `caller` when given (the peer applies its access rules), else as the public.
   */
  query<T>(owner: SubgraphName, purpose: string, query: string, variables: Record<string, unknown>, caller?: MaybeCaller): Promise<T>;
  /** Closes the pools once their requests finish. */
  dispose(): Promise<void>;
}

export function createSubgraphPeers(config: HubConfig): SubgraphPeers {
  const pools = new Map<SubgraphName, { origin: string; pool: HttpPool }>();
  const closing: Array<Promise<void>> = [];
  let disposed = false;

  function poolOf(owner: SubgraphName): HttpPool {
    if (disposed) throw new Error("this subgraph has stopped");
    const url = config.subgraphUrls[owner];
    const known = pools.get(owner);
    if (known?.origin === new URL(url).origin) return known.pool;
    if (known) closing.push(known.pool.dispose());
    const pool = createHttpPool(url);
    pools.set(owner, { origin: new URL(url).origin, pool });
    return pool;
  }

  return {
    async query<T>(owner: SubgraphName, purpose: string, query: string, variables: Record<string, unknown>, caller?: MaybeCaller): Promise<T> {
      const response = await poolOf(owner)
        .fetcher(config.subgraphUrls[owner], {
          method: "POST",
          headers: { "content-type": "application/json", ...subgraphHeaders(config.subgraphSecret ?? "", caller) },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(5000), // a write waits for this; it must not hang on a stuck subgraph
        })
        .catch((error: unknown) => {
          throw new Error(`the ${owner} subgraph cannot be reached to ${purpose}: ${String(error)}`);
        });
      if (!response.ok) throw new Error(`the ${owner} subgraph refused to ${purpose} (HTTP ${response.status})`);
      const body = (await response.json()) as { data?: T | null; errors?: unknown[] };
      if (!body.data) throw new Error(`the ${owner} subgraph did not answer when asked to ${purpose}: ${JSON.stringify(body.errors)}`);
      return body.data;
    },
    async dispose() {
      disposed = true;
      await Promise.all([...closing, ...[...pools.values()].map(({ pool }) => pool.dispose())]);
      pools.clear();
    },
  };
}

/**
 * Asks the subgraph that owns an entity type whether the given ids exist, through its `_entities`
 * (one request for the whole list), so a write never stores a dangling reference to another subgraph.
 */
export async function assertEntitiesExist(
  peers: SubgraphPeers,
  owner: SubgraphName,
  typename: string,
  ids: Array<{ field: string; id: string }>,
): Promise<void> {
  if (ids.length === 0) return;
  const data = await peers.query<{ _entities: Array<unknown | null> }>(
    owner,
    `check ${typename} ids`,
    `query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }`,
    { r: ids.map(({ id }) => ({ __typename: typename, id })) },
  );
  data._entities.forEach((entity, index) => {
    if (entity === null) throw badInput(ids[index].field, message("rule.existingEntity", { typename, id: ids[index].id }));
  });
}
