import type { HubConfig, SubgraphName } from "./config";
import { SECRET_HEADER } from "./caller";
import { badInput } from "./errors";

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
  const response = await fetch(config.subgraphUrls[owner], {
    method: "POST",
    headers: { "content-type": "application/json", [SECRET_HEADER]: config.subgraphSecret ?? "" },
    body: JSON.stringify({
      query: `query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }`,
      variables: { r: ids.map(({ id }) => ({ __typename: typename, id })) },
    }),
    signal: AbortSignal.timeout(5000), // a write waits for this check; it must not hang on a stuck subgraph
  }).catch((error: unknown) => {
    throw new Error(`the ${owner} subgraph cannot be reached to check ${typename} ids: ${String(error)}`);
  });
  if (!response.ok) throw new Error(`the ${owner} subgraph refused the ${typename} check (HTTP ${response.status})`);
  const body = (await response.json()) as { data?: { _entities: Array<unknown | null> }; errors?: unknown[] };
  if (!body.data) throw new Error(`the ${owner} subgraph did not answer the ${typename} check: ${JSON.stringify(body.errors)}`);
  body.data._entities.forEach((entity, index) => {
    if (entity === null) throw badInput(ids[index].field, `must be the id of an existing ${typename} (no ${typename} ${ids[index].id})`);
  });
}
