/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type AlertKind =
  | 'DEADLINE_NEAR'
  | 'ESCALATED'
  | 'REPORTED';

export type IncidentCategory =
  | 'ASN_NEUTRALITY'
  | 'BLACK_CAMPAIGN'
  | 'CAMPAIGN_PROPS'
  | 'HOAX'
  | 'INTIMIDATION'
  | 'MONEY_POLITICS'
  | 'NEGATIVE_CAMPAIGN'
  | 'OTHER'
  | 'SARA_INSULT'
  | 'VOTER_DATA';

export type LatestIncidentsQueryVariables = Exact<{
  first: number;
}>;


export type LatestIncidentsQuery = { incidentReports: { totalCount: number, edges: Array<{ node: { id: string, title: string, category: IncidentCategory, reportedAt: string } }> } };

export type IncidentAlertsSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type IncidentAlertsSubscription = { incidentAlerts: { sequence: string, kind: AlertKind, raisedAt: string, report: { id: string, title: string, category: IncidentCategory } } };


export const LatestIncidentsDocument = {"__meta__":{"hash":"sha256:6599ad8db2057959ca651be379cd1501a5f805786bef53b65533964fe30db2ef"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LatestIncidents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"incidentReports"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"category"}},{"kind":"Field","name":{"kind":"Name","value":"reportedAt"}}]}}]}}]}}]}}]} as unknown as DocumentNode<LatestIncidentsQuery, LatestIncidentsQueryVariables>;
export const IncidentAlertsDocument = {"__meta__":{"hash":"sha256:84bc243f127be58c58dce0533d3c166887889a84f4734d33505467c24b5c82f9"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"IncidentAlerts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"incidentAlerts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sequence"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"raisedAt"}},{"kind":"Field","name":{"kind":"Name","value":"report"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"category"}}]}}]}}]}}]} as unknown as DocumentNode<IncidentAlertsSubscription, IncidentAlertsSubscriptionVariables>;