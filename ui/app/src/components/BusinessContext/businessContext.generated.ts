/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type * as Types from '../../graphql/types.generated';

import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
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

export type BusinessFactFieldsFragment = { kind: Types.FactKind, source: string, externalId: string, version: number, tier: Types.Tier | null, effectiveAt: string | null, attributes: Array<{ name: string, value: string }> };

export type BusinessContextFactsFragment = { plans: Array<{ kind: Types.FactKind, source: string, externalId: string, version: number, tier: Types.Tier | null, effectiveAt: string | null, attributes: Array<{ name: string, value: string }> }>, recentOrders: Array<{ kind: Types.FactKind, source: string, externalId: string, version: number, tier: Types.Tier | null, effectiveAt: string | null, attributes: Array<{ name: string, value: string }> }>, devices: Array<{ kind: Types.FactKind, source: string, externalId: string, version: number, tier: Types.Tier | null, effectiveAt: string | null, attributes: Array<{ name: string, value: string }> }>, contracts: Array<{ kind: Types.FactKind, source: string, externalId: string, version: number, tier: Types.Tier | null, effectiveAt: string | null, attributes: Array<{ name: string, value: string }> }> };

export const BusinessFactFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BusinessFactFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BusinessFact"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"externalId"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"effectiveAt"}},{"kind":"Field","name":{"kind":"Name","value":"attributes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}}]} as unknown as DocumentNode<BusinessFactFieldsFragment, unknown>;
export const BusinessContextFactsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BusinessContextFacts"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BusinessContext"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plans"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BusinessFactFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"recentOrders"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BusinessFactFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"devices"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BusinessFactFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"contracts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"BusinessFactFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"BusinessFactFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"BusinessFact"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"externalId"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"effectiveAt"}},{"kind":"Field","name":{"kind":"Name","value":"attributes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}}]} as unknown as DocumentNode<BusinessContextFactsFragment, unknown>;