package main

import "flag"

// graphQLComponent wires the GraphQL API on /graphql into `ledger serve`.
// Not built yet: it adds no flags and starts nothing.
type graphQLComponent struct{}

func newGraphQLComponent() serveComponent { return &graphQLComponent{} }

func (*graphQLComponent) addFlags(*flag.FlagSet) {}

func (*graphQLComponent) start(*serveDeps) error { return nil }
