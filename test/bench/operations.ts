/*
 * The operations the benchmarks send through the gateways. They ask for what a client screen shows, so
 * each crosses the subgraphs the issue names.
 */

/** A directory page: organizations in a region prefix, with their region (organizations only, 2 levels). */
export const DIRECTORY = `query Directory($region: String!, $first: Int, $after: String) {
  organizations(filter: { regionCode: $region }, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name acronym kind status region { code name parent { name } } } }
  }
}`;

/** Name search in the directory. */
export const SEARCH = `query Search($search: String!, $first: Int) {
  organizations(filter: { search: $search }, first: $first) {
    totalCount edges { node { id name region { name } } }
  }
}`;

/** The Manggar story: one event read across all five subgraphs (the end-to-end test's query). */
export { MANGGAR } from "../support/demo";

/** An agency's incident list with reporter (organizations), candidate pair (elections) and event (events). */
export const INCIDENTS = `query Incidents($region: String, $categories: [IncidentCategory!], $first: Int) {
  incidentReports(filter: { regionCode: $region, categories: $categories }, first: $first) {
    totalCount
    edges { node {
      id title category severity status reportedAt reportingDeadline
      region { name }
      reporter { name }
      candidatePair { ballotNumber headCandidate }
      event { title startsAt }
    } }
  }
}`;
