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

export type WallboardQueryVariables = Exact<{ [key: string]: never; }>;


export type WallboardQuery = { queues: Array<{ name: string, waitingCount: number, longestWaitSeconds: number }>, agents: Array<{ id: string, name: string, presence: Types.Presence, load: number }> };

export type WallboardAgentsSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type WallboardAgentsSubscription = { agentPresenceChanged: { id: string, name: string, presence: Types.Presence, load: number } };


export const WallboardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Wallboard"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queues"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"waitingCount"}},{"kind":"Field","name":{"kind":"Name","value":"longestWaitSeconds"}}]}},{"kind":"Field","name":{"kind":"Name","value":"agents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"presence"}},{"kind":"Field","name":{"kind":"Name","value":"load"}}]}}]}}]} as unknown as DocumentNode<WallboardQuery, WallboardQueryVariables>;
export const WallboardAgentsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"WallboardAgents"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"agentPresenceChanged"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"presence"}},{"kind":"Field","name":{"kind":"Name","value":"load"}}]}}]}}]} as unknown as DocumentNode<WallboardAgentsSubscription, WallboardAgentsSubscriptionVariables>;