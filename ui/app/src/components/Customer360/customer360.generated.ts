/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type * as Types from '../../graphql/types.generated';

import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** How a customer reached us. */
export type Channel =
  /** Chat in the mobile app. */
  | 'APP'
  /** Email. */
  | 'EMAIL'
  /** A phone call. */
  | 'PHONE'
  /** Text message. */
  | 'SMS'
  /** Chat on the web site. */
  | 'WEBCHAT'
  /** WeChat official account. */
  | 'WECHAT';

/** What a business fact describes. */
export type FactKind =
  /** A contract. */
  | 'CONTRACT'
  /** A device the customer owns or rents. */
  | 'DEVICE'
  /** A purchase. */
  | 'ORDER'
  /** A service plan or subscription. */
  | 'PLAN';

/** The kind of handle a customer is known by. */
export type IdentityKind =
  /** An account id in our own systems. */
  | 'ACCOUNT'
  /** A device id of the mobile app. */
  | 'DEVICE'
  /** An email address, lower-cased. */
  | 'EMAIL'
  /** A phone number, E.164 (+<country code><number>). */
  | 'PHONE'
  /** A WeChat openid. */
  | 'WECHAT';

/** Urgency of a ticket or an interaction, lowest first. */
export type Priority =
  /** Critical: served first. */
  | 'CRITICAL'
  /** Normal. */
  | 'NORMAL'
  /** Urgent. */
  | 'URGENT';

/** Where a ticket is in its workflow. */
export type TicketStatus =
  /** An agent has it. */
  | 'ASSIGNED'
  /** Closed for good. */
  | 'CLOSED'
  /** Being worked on. */
  | 'IN_PROGRESS'
  /** Opened, nobody assigned. */
  | 'NEW'
  /** Waiting on the customer. */
  | 'PENDING_CUSTOMER'
  /** Reopened after a resolution. */
  | 'REOPENED'
  /** Resolved; can be reopened or closed. */
  | 'RESOLVED';

/** A customer's service tier; it raises routing priority. */
export type Tier =
  /** Gold. */
  | 'GOLD'
  /** Silver. */
  | 'SILVER'
  /** The default tier. */
  | 'STANDARD'
  /** Very important: served first. */
  | 'VIP';

/** What a timeline entry records. */
export type TimelineKind =
  /** The customer left before being served. */
  | 'ABANDONED'
  /** An agent answered a call. */
  | 'CALL_ANSWERED'
  /** A call ended. */
  | 'CALL_ENDED'
  /** The customer rated an interaction. */
  | 'CSAT'
  /** An interaction was closed. */
  | 'INTERACTION_CLOSED'
  /** An interaction started. */
  | 'INTERACTION_STARTED'
  /** A message from the customer. */
  | 'MESSAGE_IN'
  /** A message from an agent. */
  | 'MESSAGE_OUT'
  /** A ticket was closed. */
  | 'TICKET_CLOSED'
  /** A ticket was opened. */
  | 'TICKET_OPENED'
  /** A ticket was reopened. */
  | 'TICKET_REOPENED'
  /** A ticket was resolved. */
  | 'TICKET_RESOLVED'
  /** A ticket changed status. */
  | 'TICKET_STATUS_CHANGED';

export type Customer360QueryVariables = Exact<{
  id: string | number;
}>;


export type Customer360Query = { customer: { id: string, displayName: string, tier: Types.Tier, tags: Array<string>, lastCsat: number | null, preferredChannel: Types.Channel | null, identities: Array<{ kind: Types.IdentityKind, value: string }>, openTickets: Array<{ id: string, number: string, subject: string, status: Types.TicketStatus, priority: Types.Priority }>, businessContext: { plans: Array<{ kind: Types.FactKind, source: string, externalId: string, version: number, tier: Types.Tier | null, effectiveAt: string | null, attributes: Array<{ name: string, value: string }> }>, recentOrders: Array<{ kind: Types.FactKind, source: string, externalId: string, version: number, tier: Types.Tier | null, effectiveAt: string | null, attributes: Array<{ name: string, value: string }> }>, devices: Array<{ kind: Types.FactKind, source: string, externalId: string, version: number, tier: Types.Tier | null, effectiveAt: string | null, attributes: Array<{ name: string, value: string }> }>, contracts: Array<{ kind: Types.FactKind, source: string, externalId: string, version: number, tier: Types.Tier | null, effectiveAt: string | null, attributes: Array<{ name: string, value: string }> }> } } | null };

export type CustomerTimelineQueryVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type CustomerTimelineQuery = { customer: { id: string, timeline: { nodes: Array<{ position: number, at: string, channel: Types.Channel | null, kind: Types.TimelineKind, summary: string }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } } | null };


export const Customer360Document = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Customer360"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"lastCsat"}},{"kind":"Field","name":{"kind":"Name","value":"preferredChannel"}},{"kind":"Field","name":{"kind":"Name","value":"identities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"openTickets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"number"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}}]}},{"kind":"Field","name":{"kind":"Name","value":"businessContext"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BusinessContextFacts"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BusinessFactFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BusinessFact"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"externalId"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"effectiveAt"}},{"kind":"Field","name":{"kind":"Name","value":"attributes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BusinessContextFacts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BusinessContext"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plans"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BusinessFactFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recentOrders"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BusinessFactFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"devices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BusinessFactFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"contracts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BusinessFactFields"}}]}}]}}]} as unknown as DocumentNode<Customer360Query, Customer360QueryVariables>;
export const CustomerTimelineDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CustomerTimeline"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"customer"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"timeline"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"summary"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CustomerTimelineQuery, CustomerTimelineQueryVariables>;