import { graphql } from "./gql";

/*
 * The operations the tool sends. GraphQL Code Generator reads them from here and generates their types (src/gql/);
 * their hashes are the tool's trusted documents.
 */

/** The newest incident reports the app's token may read. */
export const LatestIncidents = graphql(`
  query LatestIncidents($first: Int!) {
    incidentReports(first: $first) {
      totalCount
      edges {
        node {
          id
          title
          category
          reportedAt
        }
      }
    }
  }
`);

/** Live alerts of the app's regions, resumable with the last sequence seen. */
export const IncidentAlerts = graphql(`
  subscription IncidentAlerts($after: String) {
    incidentAlerts(after: $after) {
      sequence
      kind
      raisedAt
      report {
        id
        title
        category
      }
    }
  }
`);
