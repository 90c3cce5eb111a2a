// Package graphql is the ledger's GraphQL API: the schema (schema/*.graphql,
// embedded), the resolvers that answer it from the projections and turn
// mutations into commands, bearer-token authentication with roles, the live
// subscriptions, and the HTTP and WebSocket (graphql-transport-ws)
// transports.
//
// Errors are mapped once, at the edge (graphql/apierror): domain codes become
// extensions.code, anything unexpected is logged and answered INTERNAL.
// Tokens, roles, what each role may do (one table) and the masking of
// personal data are graphql/auth's.
package graphql
