import type { HubConfig, SubgraphName } from "../../platform/config";
import { subgraphHeaders } from "../../caller/claims";
import { badInput } from "../../platform/errors";

/**
 * Asks another subgraph directly (with the subgraph secret, as the gateway does) during a write: one
 * request, bounded in time, failing with a message that names the subgraph and the purpose.
 */
export async function querySubgraph<T>(config: HubConfig, owner: SubgraphName, purpose: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(config.subgraphUrls[owner], {
    method: "POST",
    headers: { "content-type": "application/json", ...subgraphHeaders(config.subgraphSecret ?? "") },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(5000), // a write waits for this; it must not hang on a stuck subgraph
  }).catch((error: unknown) => {
    throw new Error(`the ${owner} subgraph cannot be reached to ${purpose}: ${String(error)}`);
  });
  if (!response.ok) throw new Error(`the ${owner} subgraph refused to ${purpose} (HTTP ${response.status})`);
  const body = (await response.json()) as { data?: T | null; errors?: unknown[] };
  if (!body.data) throw new Error(`the ${owner} subgraph did not answer when asked to ${purpose}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * Asks the subgraph that owns an entity type whether the given ids exist, through its `_entities`
 * (one request for the whole list), so a write never stores a dangling reference to another subgraph.
 */
export async function assertEntitiesExist(
  config: HubConfig,
  owner: SubgraphName,
  typename: string,
  ids: Array<{ field: string; id: string }>,
): Promise<void> {
  if (ids.length === 0) return;
  const data = await querySubgraph<{ _entities: Array<unknown | null> }>(
    config,
    owner,
    `check ${typename} ids`,
    `query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }`,
    { r: ids.map(({ id }) => ({ __typename: typename, id })) },
  );
  data._entities.forEach((entity, index) => {
    if (entity === null) throw badInput(ids[index].field, `must be the id of an existing ${typename} (no ${typename} ${ids[index].id})`);
  });
}
