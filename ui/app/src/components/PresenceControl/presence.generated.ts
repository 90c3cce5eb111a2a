/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type * as Types from '../../graphql/types.generated';

import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
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

export type AgentPresenceQueryVariables = Exact<{
  id: string | number;
}>;


export type AgentPresenceQuery = { agent: { id: string, name: string, presence: Types.Presence, presenceSince: string | null } | null };

export type SetPresenceMutationVariables = Exact<{
  presence: Types.Presence;
  reason?: string | null | undefined;
}>;


export type SetPresenceMutation = { setPresence: { position: number, agent: { id: string, presence: Types.Presence, presenceSince: string | null } | null } };


export const AgentPresenceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AgentPresence"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agent"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"presence"}},{"kind":"Field","name":{"kind":"Name","value":"presenceSince"}}]}}]}}]} as unknown as DocumentNode<AgentPresenceQuery, AgentPresenceQueryVariables>;
export const SetPresenceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetPresence"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"presence"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Presence"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"reason"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setPresence"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"presence"},"value":{"kind":"Variable","name":{"kind":"Name","value":"presence"}}},{"kind":"Argument","name":{"kind":"Name","value":"reason"},"value":{"kind":"Variable","name":{"kind":"Name","value":"reason"}}},{"kind":"Argument","name":{"kind":"Name","value":"consistency"},"value":{"kind":"EnumValue","value":"READ_YOUR_WRITES"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"agent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"presence"}},{"kind":"Field","name":{"kind":"Name","value":"presenceSince"}}]}}]}}]}}]} as unknown as DocumentNode<SetPresenceMutation, SetPresenceMutationVariables>;