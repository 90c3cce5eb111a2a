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

/** How far a channel vouched for the identity a contact came in with. */
export type IdentityCheck =
  /** A trusted peer vouched for it (a SIP trunk's P-Asserted-Identity). */
  | 'ASSERTED'
  /** Only the sender says so (a SIP From header). */
  | 'CLAIMED'
  /** The sender's domain says it did not send it: an email that failed DMARC (a forged From). The contact is on an unverified customer of its own, never the address's owner. */
  | 'FAILED'
  /** The channel cannot tell. */
  | 'UNCHECKED'
  /** Nothing vouched for it and nothing contradicted it: an email from a domain with no DMARC policy, or whose DNS could not be read. The contact joined the customer who owns the address; treat it as not verified. */
  | 'UNVERIFIED'
  /** The sender's domain vouched for it: an email that passed DMARC (an aligned DKIM signature or SPF pass). */
  | 'VERIFIED';

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

export type OfferedCallFragment = { id: string, channel: Types.Channel, status: Types.InteractionStatus, answeredAt: string | null, callEndedAt: string | null, identityCheck: Types.IdentityCheck, customer: { id: string, displayName: string }, identity: { kind: Types.IdentityKind, value: string } };

export type CallOfferedSubscriptionVariables = Exact<{
  agentId: string | number;
}>;


export type CallOfferedSubscription = { callOffered: { id: string, channel: Types.Channel, status: Types.InteractionStatus, answeredAt: string | null, callEndedAt: string | null, identityCheck: Types.IdentityCheck, customer: { id: string, displayName: string }, identity: { kind: Types.IdentityKind, value: string } } };

export type OfferedCallUpdatedSubscriptionVariables = Exact<{
  id: string | number;
}>;


export type OfferedCallUpdatedSubscription = { interactionUpdated: { id: string, channel: Types.Channel, status: Types.InteractionStatus, answeredAt: string | null, callEndedAt: string | null, identityCheck: Types.IdentityCheck, customer: { id: string, displayName: string }, identity: { kind: Types.IdentityKind, value: string } } };

export const OfferedCallFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OfferedCall"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Interaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"answeredAt"}},{"kind":"Field","name":{"kind":"Name","value":"callEndedAt"}},{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"identity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"identityCheck"}}]}}]} as unknown as DocumentNode<OfferedCallFragment, unknown>;
export const CallOfferedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"CallOffered"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"agentId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"callOffered"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"agentId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"agentId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OfferedCall"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OfferedCall"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Interaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"answeredAt"}},{"kind":"Field","name":{"kind":"Name","value":"callEndedAt"}},{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"identity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"identityCheck"}}]}}]} as unknown as DocumentNode<CallOfferedSubscription, CallOfferedSubscriptionVariables>;
export const OfferedCallUpdatedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"OfferedCallUpdated"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"interactionUpdated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OfferedCall"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OfferedCall"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Interaction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"channel"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"answeredAt"}},{"kind":"Field","name":{"kind":"Name","value":"callEndedAt"}},{"kind":"Field","name":{"kind":"Name","value":"customer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"identity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"identityCheck"}}]}}]} as unknown as DocumentNode<OfferedCallUpdatedSubscription, OfferedCallUpdatedSubscriptionVariables>;