/** The directory's GraphQL, as the name-search tests send it to the organizations subgraph. */

export const REGISTER_ORGANIZATION = `mutation ($input: RegisterOrganizationInput!) { registerOrganization(input: $input) { id } }`;

export const ORGANIZATIONS_PAGE = `query ($filter: OrganizationFilter, $first: Int, $after: String) {
  organizations(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name } } }
}`;

/** One page of ORGANIZATIONS_PAGE. */
export interface OrganizationsPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ node: { id: string; name: string } }>;
}
