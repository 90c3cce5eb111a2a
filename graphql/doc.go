// Package graphql is the ledger's GraphQL API: the schema (schema/*.graphql,
// embedded), the resolvers that answer it from the projections and turn
// mutations into commands, the data loaders, the live subscriptions (the
// hub), the checks a request passes before it runs (size, cost,
// operation kind), and New, which wires them to the transports.
//
// Around it, each in its own package:
//   - graphql/auth: bearer tokens, roles, the role × operation access
//     table and the masking of personal data;
//   - graphql/transport: HTTP POST and GET, and WebSocket
//     (graphql-transport-ws);
//   - graphql/apierror: the error codes, mapped once at the edge: domain
//     codes become extensions.code, anything unexpected is logged and
//     answered INTERNAL;
//   - graphql/internal/document: the outline parser of request documents.
package graphql
