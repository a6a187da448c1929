import { Kind, parse } from "graphql";
import { LRUCache } from "lru-cache";

/*
 * Which subgraph documents are reads: only those may be merged with another request's (fetch-merging.ts) or
 * batched with their request's others (fetch-batching.ts).
 */

/** What each document seen was found to be: planned subgraph documents are few and repeat. */
const singleQueries = new LRUCache<string, boolean>({ max: 2_000 });

/** True for a document holding exactly one operation, a query; false for a mutation, several operations, or text that does not parse. */
export function isSingleQuery(document: string): boolean {
  let known = singleQueries.get(document);
  if (known === undefined) {
    try {
      const operations = parse(document, { noLocation: true }).definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
      known = operations.length === 1 && operations[0].kind === Kind.OPERATION_DEFINITION && operations[0].operation === "query";
    } catch {
      known = false;
    }
    singleQueries.set(document, known);
  }
  return known;
}
