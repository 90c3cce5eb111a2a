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

/** Where an interaction is in its life. */
export type InteractionStatus =
  /** The customer left before being served. */
  | 'ABANDONED'
  /** Started, not queued yet. */
  | 'ACTIVE'
  /** An agent has it. */
  | 'ASSIGNED'
  /** Closed by an agent. */
  | 'CLOSED'
  /** Waiting in a queue. */
  | 'QUEUED';

/** An agent's availability. */
export type Presence =
  /** Wrapping up the last interaction. */
  | 'AFTER_CALL_WORK'
  /** Ready for work. */
  | 'AVAILABLE'
  /** On a break. */
  | 'BREAK'
  /** Busy. */
  | 'BUSY'
  /** Not working. */
  | 'OFFLINE';

/** Urgency of a ticket or an interaction, lowest first. */
export type Priority =
  /** Critical: served first. */
  | 'CRITICAL'
  /** Normal. */
  | 'NORMAL'
  /** Urgent. */
  | 'URGENT';

/** Whether an SLA clock counts. */
export type SlaClockState =
  /** What it measures happened. */
  | 'FULFILLED'
  /** Stopped while a ticket waits on the customer. */
  | 'PAUSED'
  /** Counting. */
  | 'RUNNING';

/** What an SLA clock measures. */
export type SlaMetric =
  /** From opening to the first response. */
  | 'FIRST_RESPONSE'
  /** From a customer's message to the next response. */
  | 'NEXT_RESPONSE'
  /** From opening to resolution (tickets only). */
  | 'RESOLUTION';

export type InboxItemFragment = { id: string, channel: Types.Channel, subject: string, status: Types.InteractionStatus, priority: Types.Priority, startedAt: string, queuedAt: string | null, assignedAt: string | null, messageCount: number, lastMessageAt: string | null, customer: { id: string, displayName: string }, identity: { kind: Types.IdentityKind, value: string }, slaClocks: Array<{ metric: Types.SlaMetric, state: Types.SlaClockState, deadline: string | null, warned: boolean, breached: boolean }> };

export type InboxQueryVariables = Exact<{
  id: string | number;
}>;


export type InboxQuery = { agent: { id: string, presence: Types.Presence, presenceSince: string | null, openInteractions: Array<{ id: string, channel: Types.Channel, subject: string, status: Types.InteractionStatus, priority: Types.Priority, startedAt: string, queuedAt: string | null, assignedAt: string | null, messageCount: number, lastMessageAt: string | null, customer: { id: string, displayName: string }, identity: { kind: Types.IdentityKind, value: string }, slaClocks: Array<{ metric: Types.SlaMetric, state: Types.SlaClockState, deadline: string | null, warned: boolean, breached: boolean }> }> } | null };

export type InboxUpdatedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type InboxUpdatedSubscription = { agentUpdated: { id: string, presence: Types.Presence, presenceSince: string | null, openInteractions: Array<{ id: string, channel: Types.Channel, subject: string, status: Types.InteractionStatus, priority: Types.Priority, startedAt: string, queuedAt: string | null, assignedAt: string | null, messageCount: number, lastMessageAt: string | null, customer: { id: string, displayName: string }, identity: { kind: Types.IdentityKind, value: string }, slaClocks: Array<{ metric: Types.SlaMetric, state: Types.SlaClockState, deadline: string | null, warned: boolean, breached: boolean }> }> } };

export type InboxItemUpdatedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type InboxItemUpdatedSubscription = { interactionUpdated: { id: string, channel: Types.Channel, subject: string, status: Types.InteractionStatus, priority: Types.Priority, startedAt: string, queuedAt: string | null, assignedAt: string | null, messageCount: number, lastMessageAt: string | null, customer: { id: string, displayName: string }, identity: { kind: Types.IdentityKind, value: string }, slaClocks: Array<{ metric: Types.SlaMetric, state: Types.SlaClockState, deadline: string | null, warned: boolean, breached: boolean }> } };

export const InboxItemFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"InboxItem"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Interaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"queuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"assignedAt"}},{"kind":"Field","name":{"kind":"Name","value":"messageCount"}},{"kind":"Field","name":{"kind":"Name","value":"lastMessageAt"}},{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"identity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"slaClocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"metric"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"deadline"}},{"kind":"Field","name":{"kind":"Name","value":"warned"}},{"kind":"Field","name":{"kind":"Name","value":"breached"}}]}}]}}]} as unknown as DocumentNode<InboxItemFragment, unknown>;
export const InboxDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Inbox"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"presence"}},{"kind":"Field","name":{"kind":"Name","value":"presenceSince"}},{"kind":"Field","name":{"kind":"Name","value":"openInteractions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"InboxItem"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"InboxItem"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Interaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"queuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"assignedAt"}},{"kind":"Field","name":{"kind":"Name","value":"messageCount"}},{"kind":"Field","name":{"kind":"Name","value":"lastMessageAt"}},{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"identity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"slaClocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"metric"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"deadline"}},{"kind":"Field","name":{"kind":"Name","value":"warned"}},{"kind":"Field","name":{"kind":"Name","value":"breached"}}]}}]}}]} as unknown as DocumentNode<InboxQuery, InboxQueryVariables>;
export const InboxUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"InboxUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"presence"}},{"kind":"Field","name":{"kind":"Name","value":"presenceSince"}},{"kind":"Field","name":{"kind":"Name","value":"openInteractions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"InboxItem"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"InboxItem"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Interaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"queuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"assignedAt"}},{"kind":"Field","name":{"kind":"Name","value":"messageCount"}},{"kind":"Field","name":{"kind":"Name","value":"lastMessageAt"}},{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"identity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"slaClocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"metric"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"deadline"}},{"kind":"Field","name":{"kind":"Name","value":"warned"}},{"kind":"Field","name":{"kind":"Name","value":"breached"}}]}}]}}]} as unknown as DocumentNode<InboxUpdatedSubscription, InboxUpdatedSubscriptionVariables>;
export const InboxItemUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"InboxItemUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"interactionUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"InboxItem"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"InboxItem"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Interaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"queuedAt"}},{"kind":"Field","name":{"kind":"Name","value":"assignedAt"}},{"kind":"Field","name":{"kind":"Name","value":"messageCount"}},{"kind":"Field","name":{"kind":"Name","value":"lastMessageAt"}},{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"identity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"slaClocks"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"metric"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"deadline"}},{"kind":"Field","name":{"kind":"Name","value":"warned"}},{"kind":"Field","name":{"kind":"Name","value":"breached"}}]}}]}}]} as unknown as DocumentNode<InboxItemUpdatedSubscription, InboxItemUpdatedSubscriptionVariables>;